/**
 * A Jakarta REST feature that applies Tollgate's rate limits and page-size limits to resource
 * methods.
 */
@NullMarked
package dev.tollgate.jaxrs;

import org.jspecify.annotations.NullMarked;
