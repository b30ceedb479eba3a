/**
 * What every Tollgate adapter (the servlet filter, the JAX-RS provider, or one of your own) needs
 * around the engine, with no servlet or JAX-RS types: where the configuration is and how it is
 * layered, the engine's life with its file watcher, the fail-open warning and the names adapters
 * share. An adapter keeps only the translation between its request and response types and core.
 *
 * <p>On the module path this package is exported only to Tollgate's adapters ({@code
 * dev.tollgate.servlet}, {@code dev.tollgate.jaxrs}); another adapter there needs {@code
 * --add-exports dev.tollgate.core/dev.tollgate.core.adapter=its.module}.
 */
@NullMarked
package dev.tollgate.core.adapter;

import org.jspecify.annotations.NullMarked;
