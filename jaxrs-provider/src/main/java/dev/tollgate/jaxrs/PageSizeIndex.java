package dev.tollgate.jaxrs;

import dev.tollgate.core.Rule;
import jakarta.ws.rs.core.Configuration;
import java.util.ArrayList;
import java.util.List;
import org.glassfish.jersey.server.model.Invocable;
import org.glassfish.jersey.server.model.ModelProcessor;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.glassfish.jersey.server.model.ResourceModel;
import org.glassfish.jersey.uri.PathTemplate;
import org.glassfish.jersey.uri.UriTemplate;

/**
 * Finds, before Jersey matches a request, the resource method it will most likely reach, so that
 * the pre-matching filter can apply that method's {@link RateLimit} page-size rule while the URI can
 * still be rewritten. Built once from the application's resource model at startup (a Jersey
 * {@link ModelProcessor} that leaves the model unchanged).
 *
 * <p>Every resource method's full URI template (resource path plus method path) is tried in
 * Jersey's template order ({@link UriTemplate#COMPARATOR}: more literal characters first), and the
 * first whose template and HTTP method match wins. This agrees with Jersey's matching for ordinary
 * resource trees; methods reached through sub-resource locators are not indexed, so their
 * annotation's page-size rule does not apply (their limits do). The post-matching filter checks
 * the guess against the method Jersey chose and logs a warning if they differ.
 *
 * <p>If no method has an annotation with a page-size rule, the index is empty and costs nothing.
 */
final class PageSizeIndex implements ModelProcessor {

  private static final System.Logger LOG = System.getLogger(PageSizeIndex.class.getName());

  private record Entry(UriTemplate template, String method, Rule rule) {}

  private final AnnotationRules rules;
  private volatile List<Entry> entries = List.of();

  PageSizeIndex(AnnotationRules rules) {
    this.rules = rules;
  }

  @Override
  public ResourceModel processResourceModel(ResourceModel model, Configuration configuration) {
    List<Entry> found = new ArrayList<>();
    boolean anyPageSize = false;
    for (Resource r : model.getResources()) {
      anyPageSize |= collect(r, "", found);
    }
    found.sort((a, b) -> UriTemplate.COMPARATOR.compare(a.template(), b.template()));
    entries = anyPageSize ? List.copyOf(found) : List.of();
    return model;
  }

  @Override
  public ResourceModel processSubResource(ResourceModel subResourceModel, Configuration configuration) {
    return subResourceModel;
  }

  /** Adds every resource method below {@code r}; true if any has a page-size rule. */
  private boolean collect(Resource r, String parent, List<Entry> found) {
    String path = join(parent, r.getPath());
    boolean anyPageSize = false;
    for (ResourceMethod m : r.getResourceMethods()) {
      Invocable invocable = m.getInvocable();
      Rule rule = null;
      if (!invocable.isInflector() && invocable.getHandlingMethod() != null) {
        rule = rules.forMethod(invocable.getHandler().getHandlerClass(), invocable.getHandlingMethod());
      }
      Rule withPageSize = rule != null && rule.pageSize() != null ? rule : null;
      anyPageSize |= withPageSize != null;
      try {
        found.add(new Entry(new PathTemplate(path), m.getHttpMethod(), withPageSize));
      } catch (IllegalArgumentException e) {
        LOG.log(System.Logger.Level.DEBUG, "Tollgate does not index the path template " + path + ": " + e.getMessage());
      }
    }
    for (Resource child : r.getChildResources()) {
      anyPageSize |= collect(child, path, found);
    }
    return anyPageSize;
  }

  private static String join(String parent, String path) {
    if (path == null || path.isEmpty()) {
      return parent.isEmpty() ? "/" : parent;
    }
    String a = parent.endsWith("/") ? parent.substring(0, parent.length() - 1) : parent;
    String b = path.startsWith("/") ? path : "/" + path;
    return a + b;
  }

  /** Jersey matches templates against the path without matrix parameters; so must the index. */
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
   * The annotation rule with a page-size rule of the method the request will reach, or
   * {@code null} if that method has none (or no method matches).
   *
   * @param encodedPath the request path below the base URI, still percent-encoded, as Jersey
   *     matches it (matrix parameters are ignored, as Jersey ignores them)
   */
  Rule match(String method, String encodedPath) {
    List<Entry> all = entries;
    if (all.isEmpty()) {
      return null;
    }
    String path = withoutMatrixParameters(encodedPath.startsWith("/") ? encodedPath : "/" + encodedPath);
    String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    List<String> ignored = new ArrayList<>();
    for (Entry e : all) {
      boolean methodMatches = e.method() == null || e.method().equals(method)
          || ("HEAD".equals(method) && "GET".equals(e.method()));
      if (methodMatches && (e.template().match(path, ignored) || e.template().match(trimmed, ignored))) {
        return e.rule();
      }
    }
    return null;
  }
}
