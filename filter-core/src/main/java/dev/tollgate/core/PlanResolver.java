package dev.tollgate.core;

import org.jspecify.annotations.Nullable;

/**
 * Finds a client's plan where the business keeps it (a database, a billing service). Tollgate asks
 * it on a background thread behind a bounded cache (see {@link Plans.CacheSettings}), never on the
 * request path once a client's plan is cached: it may block, but should answer well within the
 * cache's timeout. A configuration file names an implementation with a public no-argument
 * constructor as {@code class:<name>} in {@code plans.resolvers}.
 */
@FunctionalInterface
public interface PlanResolver {

  /**
   * The name of the plan of {@code clientKey}, or {@code null} if this resolver does not know the
   * client (the next resolver in the chain is asked).
   *
   * @param clientKey the client key as Tollgate shows it: {@code user:alice}, {@code
   *     ip:203.0.113.7}, {@code key:<digest>} (API keys are digested: see {@link
   *     ClientKeys#hashed})
   * @throws Exception when the plan cannot be found out; the request gets the fallback plan
   */
  @Nullable String planOf(String clientKey) throws Exception;
}
