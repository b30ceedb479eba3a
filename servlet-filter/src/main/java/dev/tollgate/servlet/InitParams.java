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

/**
 * Reads a {@link TollgateConfig} from a filter's init-params and the file its {@code config} param
 * names.
 */
final class InitParams {

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
      // An init-param replaces the file's value whichever way either writes the key (limits or
      // rules.default.limits).
      String canonical = TollgateConfig.canonicalKey(p.getKey());
      merged.keySet().removeIf(k -> TollgateConfig.canonicalKey(k).equals(canonical));
      merged.put(p.getKey(), p.getValue());
    }
    try {
      return TollgateConfig.parse(merged);
    } catch (ConfigException e) {
      String where = source(e.key(), params, file, filterConfig.getFilterName(), location);
      throw where == null ? e : e.withSource(where);
    }
  }

  /**
   * The init-params other than {@value TollgateFilter#CONFIG_PARAM}: what a reload applies over the
   * file.
   */
  static Map<String, String> overrides(FilterConfig filterConfig) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String name : Collections.list(filterConfig.getInitParameterNames())) {
      if (!name.trim().equals(TollgateFilter.CONFIG_PARAM)) {
        params.put(name.trim(), filterConfig.getInitParameter(name));
      }
    }
    return params;
  }

  /**
   * The configuration file as a file system path, if it is one (a {@code file:} or plain path, or a
   * {@code /WEB-INF/...} resource of an unpacked web application); {@code null} otherwise, for
   * example inside a packed WAR or on the class path, where changes cannot be watched.
   */
  static Path watchablePath(FilterConfig filterConfig) {
    String location = filterConfig.getInitParameter(TollgateFilter.CONFIG_PARAM);
    if (location == null || location.trim().startsWith("classpath:")) {
      return null;
    }
    String l = location.trim();
    try {
      if (l.startsWith("file:")) {
        return Path.of(l.substring("file:".length()));
      }
      if (l.startsWith("/")) {
        String real = filterConfig.getServletContext().getRealPath(l);
        if (real != null && Files.isRegularFile(Path.of(real))) {
          return Path.of(real);
        }
      }
      Path p = Path.of(l);
      return Files.isRegularFile(p) ? p : null;
    } catch (InvalidPathException e) {
      return null;
    }
  }

  private static String source(
      String key,
      Map<String, String> params,
      Map<String, String> file,
      String filter,
      String location) {
    String canonical = TollgateConfig.canonicalKey(key);
    if (params.keySet().stream().anyMatch(k -> TollgateConfig.canonicalKey(k).equals(canonical))) {
      return "init-param of filter '" + filter + "'";
    }
    if (file.keySet().stream().anyMatch(k -> TollgateConfig.canonicalKey(k).equals(canonical))) {
      return "in " + location;
    }
    return null;
  }

  private static Map<String, String> load(FilterConfig filterConfig, String location)
      throws ServletException {
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

  private static InputStream open(FilterConfig filterConfig, String location)
      throws IOException, ServletException {
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
        throw new ServletException(
            notReadable(filterConfig, location, "not found on the class path"));
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

  private static InputStream file(FilterConfig filterConfig, String location, String path)
      throws IOException, ServletException {
    try {
      return Files.newInputStream(Path.of(path));
    } catch (NoSuchFileException | InvalidPathException e) {
      throw new ServletException(
          notReadable(
              filterConfig,
              location,
              location.startsWith("/")
                  ? "not found in the web application or on the file system"
                  : "not found on the file system (relative paths start at "
                      + Path.of("").toAbsolutePath()
                      + ")"));
    }
  }

  private static String notReadable(FilterConfig filterConfig, String location, String reason) {
    return "Tollgate filter '"
        + filterConfig.getFilterName()
        + "' cannot start: "
        + TollgateFilter.CONFIG_PARAM
        + ": '"
        + location
        + "' cannot be read ("
        + reason
        + ")";
  }
}
