/**
 * Spring Boot auto-configuration of Tollgate's servlet filter from {@code tollgate.*} properties.
 */
@NullMarked
package dev.tollgate.spring.boot;

import org.jspecify.annotations.NullMarked;
