/** The provider's implementation details that a runtime must reach by class; not an API. */
@NullMarked
package dev.tollgate.jaxrs.internal;

import org.jspecify.annotations.NullMarked;
