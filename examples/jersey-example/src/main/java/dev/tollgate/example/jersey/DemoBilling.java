package dev.tollgate.example.jersey;

import dev.tollgate.core.ClientKeys;
import dev.tollgate.core.PlanResolver;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands for where a business keeps its tenants' plans (a billing system, a database): Tollgate
 * asks it through {@code plans.resolvers=class:...}, behind its cache. Keyed by client key as
 * Tollgate shows it: an API key's digest, never the key itself.
 */
public final class DemoBilling implements PlanResolver {

  /** The plans a tenant may be moved to. */
  static final Set<String> PLANS = Set.of("starter", "business");

  private static final Map<String, String> PLAN_BY_CLIENT =
      new ConcurrentHashMap<>(Map.of(ClientKeys.hashed("key:", "demo-trial-key"), "starter"));

  @Override
  public String planOf(String clientKey) {
    return PLAN_BY_CLIENT.get(clientKey);
  }

  /** Moves the tenant with API key {@code apiKey} to {@code plan}. */
  static void move(String apiKey, String plan) {
    PLAN_BY_CLIENT.put(ClientKeys.hashed("key:", apiKey), plan);
  }
}
