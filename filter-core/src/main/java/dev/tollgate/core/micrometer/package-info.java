/** Metrics published through Micrometer. */
@NullMarked
package dev.tollgate.core.micrometer;

import org.jspecify.annotations.NullMarked;
