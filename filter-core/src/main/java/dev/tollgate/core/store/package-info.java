/** Where counting state lives: the in-memory store and the interfaces a shared store implements. */
@NullMarked
package dev.tollgate.core.store;

import org.jspecify.annotations.NullMarked;
