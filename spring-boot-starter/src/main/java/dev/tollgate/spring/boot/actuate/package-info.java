/** Tollgate's Actuator endpoint. */
@NullMarked
package dev.tollgate.spring.boot.actuate;

import org.jspecify.annotations.NullMarked;
