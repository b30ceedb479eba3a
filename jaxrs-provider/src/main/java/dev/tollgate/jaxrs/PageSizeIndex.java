package dev.tollgate.jaxrs;

import dev.tollgate.core.Rule;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Finds, before the runtime matches a request, the resource method it will most likely reach, so
 * that the pre-matching filter can apply that method's {@link RateLimit} page-size rule while the
 * URI can still be rewritten. Filled at startup by {@link RateLimitBinding}, which every runtime
 * calls once per resource method (a {@code DynamicFeature}); the paths come from the methods'
 * {@code @Path} annotations, so no runtime's resource model is needed.
 *
 * <p>Every resource method's full URI template (resource path plus method path) is tried in the
 * specification's template order ({@link PathTemplate#ORDER}: more literal characters first), and
 * the first whose template and HTTP method match wins. This agrees with the runtimes' matching for
 * ordinary resource trees; methods reached through sub-resource locators are not indexed (their
 * class has no {@code @Path}), so their annotation's page-size rule does not apply (their limits
 * do). The post-matching filter checks the guess against the method the runtime chose and logs a
 * warning if they differ.
 *
 * <p>If no method has an annotation with a page-size rule, matching costs nothing.
 */
final class PageSizeIndex {

  private static final System.Logger LOG = System.getLogger(PageSizeIndex.class.getName());

  private record Entry(PathTemplate template, @Nullable String method, @Nullable Rule rule) {}

  /** A method as a resource class has it: an inherited method may sit under two classes' paths. */
  private record Key(Class<?> resourceClass, Method method) {}

  /** Guards the copy-on-write updates; matching reads {@link #entries} without it. */
  private final Object lock = new Object();

  private final Set<Key> indexed = new HashSet<>();
  private final List<Entry> all = new ArrayList<>();

  /** All entries in template order, or none while no method has a page-size rule. */
  private volatile List<Entry> entries = List.of();

  /**
   * Adds a resource method of a resource class (once; later calls for the same pair are ignored).
   *
   * @param rule the method's annotation rule, or {@code null}
   */
  void add(Class<?> resourceClass, Method method, @Nullable Rule rule) {
    if (resourceClass == null) {
      resourceClass = method.getDeclaringClass();
    }
    String classPath = pathOf(resourceClass);
    String httpMethod = httpMethodOf(resourceClass, method);
    if (classPath == null || httpMethod == null) {
      return; // a sub-resource (no @Path on its class) or a locator: see the class comment
    }
    String template = join(classPath, methodPath(resourceClass, method));
    PathTemplate parsed;
    try {
      parsed = new PathTemplate(template);
    } catch (IllegalArgumentException e) {
      LOG.log(
          System.Logger.Level.DEBUG,
          "Tollgate does not index the path template " + template + ": " + e.getMessage());
      return;
    }
    Rule withPageSize = rule != null && rule.setsPageSize() ? rule : null;
    synchronized (lock) {
      if (!indexed.add(new Key(resourceClass, method))) {
        return;
      }
      all.add(new Entry(parsed, httpMethod, withPageSize));
      all.sort((a, b) -> PathTemplate.ORDER.compare(a.template(), b.template()));
      boolean anyPageSize = all.stream().anyMatch(e -> e.rule() != null);
      entries = anyPageSize ? List.copyOf(all) : List.of();
    }
  }

  /** The class's {@code @Path}, looked up the class hierarchy and its interfaces; null if none. */
  private static @Nullable String pathOf(Class<?> type) {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      Path p = c.getAnnotation(Path.class);
      if (p != null) {
        return p.value();
      }
      for (Class<?> i : c.getInterfaces()) {
        Path onInterface = i.getAnnotation(Path.class);
        if (onInterface != null) {
          return onInterface.value();
        }
      }
    }
    return null;
  }

  /**
   * The method's {@code @Path}, on it or on the method it implements (annotation inheritance); ""
   * if none.
   */
  private static String methodPath(Class<?> resourceClass, Method method) {
    for (Method m : declarations(resourceClass, method)) {
      Path p = m.getAnnotation(Path.class);
      if (p != null) {
        return p.value();
      }
    }
    return "";
  }

  /**
   * GET, POST, ... from the method's designator (on it or the method it implements); null if none.
   */
  private static @Nullable String httpMethodOf(Class<?> resourceClass, Method method) {
    for (Method m : declarations(resourceClass, method)) {
      for (Annotation a : m.getAnnotations()) {
        HttpMethod designator = a.annotationType().getAnnotation(HttpMethod.class);
        if (designator != null) {
          return designator.value();
        }
      }
    }
    return null;
  }

  /**
   * The method itself, then the same method on the resource class, its superclasses and interfaces.
   */
  private static List<Method> declarations(Class<?> resourceClass, Method method) {
    List<Method> found = new ArrayList<>(2);
    found.add(method);
    List<Class<?>> types = new ArrayList<>();
    for (Class<?> c = resourceClass; c != null && c != Object.class; c = c.getSuperclass()) {
      types.add(c);
      types.addAll(List.of(c.getInterfaces()));
    }
    for (Class<?> t : types) {
      try {
        Method m = t.getDeclaredMethod(method.getName(), method.getParameterTypes());
        if (!found.contains(m)) {
          found.add(m);
        }
      } catch (NoSuchMethodException | SecurityException e) {
        // not declared there
      }
    }
    return found;
  }

  private static String join(String parent, String path) {
    String a = parent.startsWith("/") ? parent : "/" + parent;
    if (path == null || path.isEmpty()) {
      return a;
    }
    a = a.endsWith("/") ? a.substring(0, a.length() - 1) : a;
    String b = path.startsWith("/") ? path : "/" + path;
    return a + b;
  }

  /** Runtimes match templates against the path without matrix parameters; so must the index. */
  static String withoutMatrixParameters(String encodedPath) {
    if (encodedPath.indexOf(';') < 0) {
      return encodedPath;
    }
    StringBuilder out = new StringBuilder(encodedPath.length());
    boolean inMatrix = false;
    for (int i = 0; i < encodedPath.length(); i++) {
      char c = encodedPath.charAt(i);
      if (c == '/') {
        inMatrix = false;
      } else if (c == ';') {
        inMatrix = true;
      }
      if (!inMatrix) {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * The annotation rule with a page-size rule of the method the request will reach, or {@code null}
   * if that method has none (or no method matches).
   *
   * @param encodedPath the request path below the base URI, still percent-encoded, as the runtime
   *     matches it (matrix parameters are ignored, as runtimes ignore them)
   */
  @Nullable Rule match(String method, String encodedPath) {
    List<Entry> current = entries;
    if (current.isEmpty()) {
      return null;
    }
    String path =
        withoutMatrixParameters(encodedPath.startsWith("/") ? encodedPath : "/" + encodedPath);
    for (Entry e : current) {
      boolean methodMatches =
          e.method() == null
              || e.method().equals(method)
              || ("HEAD".equals(method) && "GET".equals(e.method()));
      if (methodMatches && e.template().matches(path)) {
        return e.rule();
      }
    }
    return null;
  }
}
