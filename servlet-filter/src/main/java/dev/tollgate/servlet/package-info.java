/** A Jakarta Servlet filter that applies Tollgate's rate limits and page-size limits. */
@NullMarked
package dev.tollgate.servlet;

import org.jspecify.annotations.NullMarked;
