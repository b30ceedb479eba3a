package dev.tollgate.servlet;

import dev.tollgate.core.ConfigException;
import dev.tollgate.core.TollgateConfig;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/** Reads a {@link TollgateConfig} from a filter's init-params and the file its {@code config} param names. */
final class InitParams {

  /**
   * Core's keys that stand for {@code rules.default.<key>}. An init-param in either form replaces
   * the file's value in either form, instead of colliding with it.
   */
  private static final Set<String> DEFAULT_RULE_SHORTHANDS = Set.of(
      "limits", "cost", "count-rejected", "on-store-failure", "page-size.enabled",
      "page-size.parameters", "page-size.default", "page-size.max", "page-size.on-invalid");

  private static final String DEFAULT_RULE_PREFIX = "rules.default.";

  private InitParams() {}

  /**
   * @throws ConfigException for a value core cannot use; its message says where the value was set
   * @throws ServletException if the configuration file cannot be found or read
   */
  static TollgateConfig read(FilterConfig filterConfig) throws ServletException {
    Map<String, String> params = new LinkedHashMap<>();
    for (String name : Collections.list(filterConfig.getInitParameterNames())) {
      params.put(name.trim(), filterConfig.getInitParameter(name));
    }
    String location = params.remove(TollgateFilter.CONFIG_PARAM);
    Map<String, String> file = location == null ? Map.of() : load(filterConfig, location.trim());

    Map<String, String> merged = new LinkedHashMap<>(file);
    for (Map.Entry<String, String> p : params.entrySet()) {
      merged.remove(p.getKey());
      merged.remove(alias(p.getKey()));
      merged.put(p.getKey(), p.getValue());
    }
    try {
      return TollgateConfig.parse(merged);
    } catch (ConfigException e) {
      String where = source(e.key(), params, file, filterConfig.getFilterName(), location);
      throw where == null ? e : new ConfigException(e.key(), e.getMessage().substring(e.key().length() + 2) + " (" + where + ")");
    }
  }

  private static String source(String key, Map<String, String> params, Map<String, String> file, String filter, String location) {
    if (params.containsKey(key) || params.containsKey(alias(key))) {
      return "init-param of filter '" + filter + "'";
    }
    if (file.containsKey(key) || file.containsKey(alias(key))) {
      return "in " + location;
    }
    return null;
  }

  /** {@code limits} for {@code rules.default.limits} and back; the key itself for any other key. */
  private static String alias(String key) {
    if (DEFAULT_RULE_SHORTHANDS.contains(key)) {
      return DEFAULT_RULE_PREFIX + key;
    }
    if (key.startsWith(DEFAULT_RULE_PREFIX) && DEFAULT_RULE_SHORTHANDS.contains(key.substring(DEFAULT_RULE_PREFIX.length()))) {
      return key.substring(DEFAULT_RULE_PREFIX.length());
    }
    return key;
  }

  private static Map<String, String> load(FilterConfig filterConfig, String location) throws ServletException {
    try (InputStream in = open(filterConfig, location)) {
      Properties p = new Properties();
      p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
      Map<String, String> map = new LinkedHashMap<>();
      for (String name : p.stringPropertyNames()) {
        map.put(name.trim(), p.getProperty(name));
      }
      return map;
    } catch (IOException | IllegalArgumentException e) {
      // IllegalArgumentException: a malformed \\uXXXX escape in the file.
      throw new ServletException(notReadable(filterConfig, location, e.getMessage()), e);
    }
  }

  private static InputStream open(FilterConfig filterConfig, String location) throws IOException, ServletException {
    if (location.startsWith("classpath:")) {
      String resource = location.substring("classpath:".length());
      while (resource.startsWith("/")) {
        resource = resource.substring(1);
      }
      InputStream in = null;
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      if (context != null) {
        in = context.getResourceAsStream(resource);
      }
      if (in == null) {
        in = InitParams.class.getClassLoader().getResourceAsStream(resource);
      }
      if (in == null) {
        throw new ServletException(notReadable(filterConfig, location, "not found on the class path"));
      }
      return in;
    }
    if (location.startsWith("file:")) {
      return file(filterConfig, location, location.substring("file:".length()));
    }
    if (location.startsWith("/")) {
      InputStream in = filterConfig.getServletContext().getResourceAsStream(location);
      if (in != null) {
        return in;
      }
    }
    return file(filterConfig, location, location);
  }

  private static InputStream file(FilterConfig filterConfig, String location, String path) throws IOException, ServletException {
    try {
      return Files.newInputStream(Path.of(path));
    } catch (NoSuchFileException | InvalidPathException e) {
      throw new ServletException(notReadable(filterConfig, location, location.startsWith("/")
          ? "not found in the web application or on the file system"
          : "not found on the file system (relative paths start at " + Path.of("").toAbsolutePath() + ")"));
    }
  }

  private static String notReadable(FilterConfig filterConfig, String location, String reason) {
    return "Tollgate filter '" + filterConfig.getFilterName() + "' cannot start: " + TollgateFilter.CONFIG_PARAM
        + ": '" + location + "' cannot be read (" + reason + ")";
  }
}
