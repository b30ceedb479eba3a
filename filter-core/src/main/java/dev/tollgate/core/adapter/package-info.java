/**
 * What every Tollgate adapter (the servlet filter, the JAX-RS provider, or one of your own) needs
 * around the engine, with no servlet or JAX-RS types: where the configuration is and how it is
 * layered, the engine's life with its file watcher, the fail-open warning and the names adapters
 * share. An adapter keeps only the translation between its request and response types and core.
 */
@NullMarked
package dev.tollgate.core.adapter;

import org.jspecify.annotations.NullMarked;
