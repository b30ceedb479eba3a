package dev.tollgate.jaxrs;

import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import java.lang.reflect.Method;

/**
 * Binds a {@link RateLimitFilter} to every resource method, carrying the method's {@link RateLimit}
 * rule (built once, here, at startup) or none.
 */
final class RateLimitBinding implements DynamicFeature {

  private final Gate gate;
  private final AnnotationRules rules;

  RateLimitBinding(Gate gate, AnnotationRules rules) {
    this.gate = gate;
    this.rules = rules;
  }

  @Override
  public void configure(ResourceInfo resourceInfo, FeatureContext context) {
    Method method = resourceInfo.getResourceMethod();
    context.register(new RateLimitFilter(gate, method == null ? null : rules.forMethod(resourceInfo.getResourceClass(), method)),
        TollgatePriorities.RATE_LIMIT);
  }
}
