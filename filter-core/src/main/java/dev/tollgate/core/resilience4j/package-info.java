/** Limits delegated to resilience4j rate limiters. */
@NullMarked
package dev.tollgate.core.resilience4j;

import org.jspecify.annotations.NullMarked;
