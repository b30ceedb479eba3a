/** Tollgate's core: configuration, rules and plans, the decision engine and its outcomes. */
@NullMarked
package dev.tollgate.core;

import org.jspecify.annotations.NullMarked;
