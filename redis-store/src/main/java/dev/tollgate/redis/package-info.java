/** A Redis store, so that a cluster of servers enforces one shared limit. */
@NullMarked
package dev.tollgate.redis;

import org.jspecify.annotations.NullMarked;
