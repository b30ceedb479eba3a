package dev.tollgate.jaxrs;

import dev.tollgate.core.Limit;
import dev.tollgate.core.PageSizeRule;
import dev.tollgate.core.Rule;
import dev.tollgate.core.TollgateConfig;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns {@link RateLimit} annotations into core {@link Rule}s, once per resource method, and checks
 * them against the configuration. Shared by the resource-model index (pre-matching) and the dynamic
 * feature (post-matching), so both see the same rule for a method.
 */
final class AnnotationRules {

  private final TollgateConfig config;
  private final java.util.function.Consumer<Rule> onNewRule;
  private final Map<Method, Optional<Rule>> byMethod = new ConcurrentHashMap<>();
  /** Rules by name, so that two annotations sharing a name must agree. */
  private final Map<String, Rule> byName = new ConcurrentHashMap<>();

  AnnotationRules(TollgateConfig config) {
    this(config, rule -> {});
  }

  /** @param onNewRule told of each distinct rule once, e.g. so the quota status document lists it */
  AnnotationRules(TollgateConfig config, java.util.function.Consumer<Rule> onNewRule) {
    this.config = config;
    this.onNewRule = onNewRule;
  }

  /**
   * The rule for a resource method, or {@code null} if neither it nor its class is annotated.
   *
   * @throws IllegalArgumentException if the annotation cannot be used (the message names it)
   */
  Rule forMethod(Class<?> resourceClass, Method method) {
    Optional<Rule> rule = byMethod.get(method);
    if (rule == null) {
      rule = Optional.ofNullable(build(resourceClass, method));
      Optional<Rule> raced = byMethod.putIfAbsent(method, rule);
      rule = raced != null ? raced : rule;
    }
    return rule.orElse(null);
  }

  private Rule build(Class<?> resourceClass, Method method) {
    Class<?> owner = resourceClass != null ? resourceClass : method.getDeclaringClass();
    RateLimit onMethod = method.getAnnotation(RateLimit.class);
    if (onMethod == null && owner != method.getDeclaringClass()) {
      // Jersey may hand over the interface's method or the implementation's: look at both.
      try {
        onMethod = owner.getMethod(method.getName(), method.getParameterTypes()).getAnnotation(RateLimit.class);
      } catch (NoSuchMethodException e) {
        // not public on the resource class
      }
    }
    RateLimit onClass = owner.getAnnotation(RateLimit.class);
    if (onClass == null && owner != method.getDeclaringClass()) {
      onClass = method.getDeclaringClass().getAnnotation(RateLimit.class);
    }
    RateLimit a = onMethod != null ? onMethod : onClass;
    if (a == null) {
      return null;
    }
    String where = "@RateLimit on " + (onMethod != null
        ? method.getDeclaringClass().getName() + "." + method.getName() + "()" : owner.getName());
    String name = !a.name().isEmpty() ? a.name()
        : defaultName(onMethod != null ? method.getDeclaringClass().getSimpleName() + "." + method.getName()
            : owner.getSimpleName());
    if (name.equals(Rule.DEFAULT)) {
      throw new IllegalArgumentException(where + ": the name 'default' is the configuration's default rule");
    }
    for (Rule r : config.rules()) {
      if (r.name().equals(name)) {
        throw new IllegalArgumentException(where + ": the name '" + name
            + "' is already a configured rule (rules." + name + ".*); give the annotation its own name");
      }
    }
    Rule rule;
    try {
      Rule.Builder b = Rule.builder(name).limits(a.limits());
      if (a.cost() != -1) {
        b.cost(a.cost());
        for (Limit l : config.defaultRule().limits()) {
          if (a.cost() > l.quota()) {
            throw new IllegalArgumentException("cost " + a.cost() + " exceeds the quota of the default rule's limit "
                + l + ", so no request could pass");
          }
        }
      }
      PageSizeRule pageSize = pageSize(a);
      if (pageSize != null) {
        b.pageSize(pageSize);
      }
      rule = b.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
    Rule earlier = byName.putIfAbsent(name, rule);
    if (earlier == null) {
      onNewRule.accept(rule);
    }
    if (earlier != null && !sameSettings(earlier, rule)) {
      throw new IllegalArgumentException(where + ": another @RateLimit named '" + name
          + "' has different settings (" + earlier + "); set a distinct name()");
    }
    return earlier != null ? earlier : rule;
  }

  /** The annotation's page-size rule: the default rule's parameters and invalid-value handling with the annotation's sizes. */
  private PageSizeRule pageSize(RateLimit a) {
    if (a.pageSizeMax() == -1 && a.pageSizeDefault() == -1) {
      return null;
    }
    PageSizeRule base = config.defaultRule().pageSize();
    if (a.pageSizeMax() != -1 && a.pageSizeMax() < 1) {
      throw new IllegalArgumentException("pageSizeMax must be at least 1 (or -1 to keep the configuration's) but was " + a.pageSizeMax());
    }
    if (a.pageSizeDefault() != -1 && a.pageSizeDefault() < 1) {
      throw new IllegalArgumentException("pageSizeDefault must be at least 1 (or -1 to keep the configuration's) but was " + a.pageSizeDefault());
    }
    int max = a.pageSizeMax() != -1 ? a.pageSizeMax() : base.maxSize();
    int dflt = a.pageSizeDefault() != -1 ? a.pageSizeDefault() : Math.min(base.defaultSize(), max);
    return PageSizeRule.of(base.parameters(), dflt, max, base.onInvalid());
  }

  private static boolean sameSettings(Rule a, Rule b) {
    return a.limits().equals(b.limits()) && Objects.equals(a.pageSize(), b.pageSize())
        && Objects.equals(a.cost(), b.cost());
  }

  static String defaultName(String raw) {
    String cleaned = raw.replaceAll("[^A-Za-z0-9_.-]", "_");
    return cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
  }
}
