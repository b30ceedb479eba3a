package dev.tollgate.jaxrs;

import dev.tollgate.core.Rule;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import java.lang.reflect.Method;

/**
 * Binds a {@link RateLimitFilter} to every resource method, carrying the method's {@link RateLimit}
 * rule (built once, here, at startup) or none, and adds the method to the {@link PageSizeIndex}.
 * Every runtime calls this once per resource method when the application starts, which is what
 * makes the index portable.
 */
record RateLimitBinding(Gate gate, AnnotationRules rules) implements DynamicFeature {

  @Override
  public void configure(ResourceInfo resourceInfo, FeatureContext context) {
    Method method = resourceInfo.getResourceMethod();
    Rule rule = method == null ? null : rules.forMethod(resourceInfo.getResourceClass(), method);
    if (method != null) {
      gate.index.add(resourceInfo.getResourceClass(), method, rule);
    }
    context.register(new RateLimitFilter(gate, rule), TollgatePriorities.RATE_LIMIT);
  }
}
