package dev.tollgate.core;

import org.jspecify.annotations.Nullable;

/**
 * Finds who a request counts against. Built-in resolvers come from {@link ClientKeys}; a custom one
 * is any implementation with a public no-argument constructor (for configuration files) or an
 * instance (for the builder).
 */
@FunctionalInterface
public interface ClientKeyResolver {

  /**
   * Returns the client key for this request, or {@code null} if this resolver cannot tell (the next
   * resolver in the chain is asked). The returned key is used as given, after core bounds its
   * length and hashes what is too long: do not return secrets in clear (see {@link
   * ClientKeys#hashed}).
   */
  @Nullable String resolve(RequestView request);
}
