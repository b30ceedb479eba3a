package dev.tollgate.core.adapter;

import dev.tollgate.core.ConfigException;
import dev.tollgate.core.TollgateConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Where a configuration file is, as an adapter's setting names it: {@code classpath:<name>} (the
 * class path, see {@link ClassLoaders}), {@code file:<path>}, or a plain path, which for a path
 * starting with {@code /} is first looked up among the {@link WebResources} and then on the file
 * system (relative paths start at the working directory).
 */
public final class ConfigLocation {

  private static final String CLASSPATH = "classpath:";
  private static final String FILE = "file:";

  private final String location;

  private ConfigLocation(String location) {
    this.location = location;
  }

  /** The location as written; surrounding white space is ignored. */
  public static ConfigLocation of(String location) {
    return new ConfigLocation(Objects.requireNonNull(location, "location").trim());
  }

  /** Nothing can be read at the location; the message says where it was looked for. */
  public static final class NotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    NotFoundException(String reason) {
      super(reason);
    }
  }

  /** True for a {@code classpath:} location. */
  public boolean onClassPath() {
    return location.startsWith(CLASSPATH);
  }

  /**
   * Reads the file, applies {@code overrides} over its keys (whichever way either writes a key) and
   * parses the result.
   *
   * @param overridesSource where the overrides were set, for messages, e.g. {@code init-param of
   *     filter 'tollgate'}
   * @throws ConfigException for a value that cannot be used, saying where it was set
   * @throws NotFoundException if there is nothing at the location
   * @throws IOException if it cannot be read
   */
  public TollgateConfig load(
      WebResources web, Map<String, String> overrides, String overridesSource) throws IOException {
    return ConfigLayers.parse(read(web), "in " + location, overrides, overridesSource);
  }

  /**
   * The file's keys (trimmed) and values.
   *
   * @throws NotFoundException if there is nothing at the location
   * @throws IOException if it cannot be read or is not a properties file
   */
  public Map<String, String> read(WebResources web) throws IOException {
    try (InputStream in = open(web)) {
      Properties p = new Properties();
      p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
      Map<String, String> map = new LinkedHashMap<>();
      for (String name : p.stringPropertyNames()) {
        map.put(name.trim(), p.getProperty(name));
      }
      return map;
    } catch (IllegalArgumentException malformedEscape) {
      throw new IOException(malformedEscape.getMessage(), malformedEscape);
    }
  }

  /**
   * The file as a path on disk that can be watched for changes (a {@code file:} or plain path, or a
   * web resource of an unpacked application); {@code null} otherwise, e.g. on the class path or
   * inside a packed WAR.
   */
  public @Nullable Path watchablePath(WebResources web) {
    if (onClassPath()) {
      return null;
    }
    try {
      if (location.startsWith(FILE)) {
        return Path.of(location.substring(FILE.length()));
      }
      if (location.startsWith("/")) {
        String real = web.realPath(location);
        if (real != null && Files.isRegularFile(Path.of(real))) {
          return Path.of(real);
        }
      }
      Path p = Path.of(location);
      return Files.isRegularFile(p) ? p : null;
    } catch (InvalidPathException e) {
      return null;
    }
  }

  private InputStream open(WebResources web) throws IOException {
    if (onClassPath()) {
      return classPathResource(location.substring(CLASSPATH.length()));
    }
    if (location.startsWith(FILE)) {
      return file(location.substring(FILE.length()));
    }
    if (location.startsWith("/")) {
      InputStream in = web.open(location);
      if (in != null) {
        return in;
      }
    }
    return file(location);
  }

  private static InputStream classPathResource(String resource) throws NotFoundException {
    String name = resource;
    while (name.startsWith("/")) {
      name = name.substring(1);
    }
    InputStream in = ClassLoaders.contextOr(ConfigLocation.class).getResourceAsStream(name);
    if (in == null) {
      // A context loader that is not the web application's may miss what Tollgate's own sees.
      in = ConfigLocation.class.getClassLoader().getResourceAsStream(name);
    }
    if (in == null) {
      throw new NotFoundException("not found on the class path");
    }
    return in;
  }

  private InputStream file(String path) throws IOException {
    try {
      return Files.newInputStream(Path.of(path));
    } catch (NoSuchFileException | InvalidPathException e) {
      throw new NotFoundException(
          location.startsWith("/")
              ? "not found in the web application or on the file system"
              : "not found on the file system (relative paths start at "
                  + Path.of("").toAbsolutePath()
                  + ")");
    }
  }

  @Override
  public String toString() {
    return location;
  }
}
