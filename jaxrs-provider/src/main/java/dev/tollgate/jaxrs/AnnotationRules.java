package dev.tollgate.jaxrs;

import dev.tollgate.core.DeclaredRules;
import dev.tollgate.core.Rule;
import dev.tollgate.core.TollgateConfig;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Turns {@link RateLimit} annotations into core {@link Rule}s, once per resource method: finds the
 * annotation (method, class, interface) and its name; core's {@link DeclaredRules} checks it
 * against the configuration. Shared by the resource-model index (pre-matching) and the dynamic
 * feature (post-matching), so both see the same rule for a method.
 */
final class AnnotationRules {

  /**
   * Checks each annotation against the configuration; two annotations sharing a name must agree.
   */
  private final DeclaredRules declared;

  private final Map<Method, Optional<Rule>> byMethod = new ConcurrentHashMap<>();

  AnnotationRules(TollgateConfig config) {
    this(config, rule -> {});
  }

  /**
   * @param onNewRule told of each distinct rule once, e.g. so the quota status document lists it
   */
  AnnotationRules(TollgateConfig config, Consumer<Rule> onNewRule) {
    this.declared = new DeclaredRules(config, onNewRule);
  }

  /**
   * The rule for a resource method, or {@code null} if neither it nor its class is annotated.
   *
   * @throws IllegalArgumentException if the annotation cannot be used (the message names it)
   */
  @Nullable Rule forMethod(Class<?> resourceClass, Method method) {
    Optional<Rule> rule = byMethod.get(method);
    if (rule == null) {
      rule = Optional.ofNullable(build(resourceClass, method));
      Optional<Rule> raced = byMethod.putIfAbsent(method, rule);
      rule = raced != null ? raced : rule;
    }
    return rule.orElse(null);
  }

  private @Nullable Rule build(Class<?> resourceClass, Method method) {
    Class<?> owner = resourceClass != null ? resourceClass : method.getDeclaringClass();
    RateLimit onMethod = method.getAnnotation(RateLimit.class);
    if (onMethod == null && owner != method.getDeclaringClass()) {
      // The runtime may hand over the interface's method or the implementation's: look at both.
      try {
        onMethod =
            owner
                .getMethod(method.getName(), method.getParameterTypes())
                .getAnnotation(RateLimit.class);
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
    String where =
        "@RateLimit on "
            + (onMethod != null
                ? method.getDeclaringClass().getName() + "." + method.getName() + "()"
                : owner.getName());
    String name =
        !a.name().isEmpty()
            ? a.name()
            : defaultName(
                onMethod != null
                    ? method.getDeclaringClass().getSimpleName() + "." + method.getName()
                    : owner.getSimpleName());
    return declared.declare(
        new DeclaredRules.Declaration(
            where, name, a.limits(), a.cost(), a.pageSizeMax(), a.pageSizeDefault()));
  }

  static String defaultName(String raw) {
    String cleaned = raw.replaceAll("[^A-Za-z0-9_.-]", "_");
    return cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
  }
}
