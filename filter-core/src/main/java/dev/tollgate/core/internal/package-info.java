/**
 * Implementation details shared by core's packages; not an API: anything here may change in any
 * release.
 */
@NullMarked
package dev.tollgate.core.internal;

import org.jspecify.annotations.NullMarked;
