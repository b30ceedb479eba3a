package dev.tollgate.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.ConfigException;
import dev.tollgate.core.TollgateConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where an adapter's configuration file is, and how its layers combine. */
class ConfigLocationTest {

  @TempDir Path dir;

  /** One web resource, /WEB-INF/tollgate.properties, unpacked at {@code real} (or packed). */
  private static WebResources webApp(String content, Path real) {
    return new WebResources() {
      @Override
      public InputStream open(String path) {
        return path.equals("/WEB-INF/tollgate.properties")
            ? new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8))
            : null;
      }

      @Override
      public String realPath(String path) {
        return real == null ? null : real.toString();
      }
    };
  }

  private static String limits(TollgateConfig c) {
    return c.defaultRule().limits().stream()
        .map(l -> l.quota() + "/" + l.window().getSeconds())
        .toList()
        .toString();
  }

  @Test
  void readsAFileWithOrWithoutThePrefixAndWatchesIt() throws Exception {
    Path file = Files.writeString(dir.resolve("t.properties"), " limits = 8/1m\n");
    for (String location : new String[] {file.toString(), "file:" + file, "  file:" + file}) {
      ConfigLocation l = ConfigLocation.of(location);
      assertEquals(Map.of("limits", "8/1m"), l.read(WebResources.NONE), location);
      assertEquals(file, l.watchablePath(WebResources.NONE), location);
    }
  }

  @Test
  void readsTheClassPathThroughTheContextClassLoaderAndWatchesNothingThere() throws Exception {
    Files.writeString(dir.resolve("only-here.properties"), "limits=3/1m\n");
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    try (URLClassLoader app = new URLClassLoader(new URL[] {dir.toUri().toURL()}, before)) {
      thread.setContextClassLoader(app);
      ConfigLocation l = ConfigLocation.of("classpath:/only-here.properties");
      assertTrue(l.onClassPath());
      assertEquals("[3/60]", limits(l.load(WebResources.NONE, Map.of(), "")));
      assertNull(l.watchablePath(WebResources.NONE));
    } finally {
      thread.setContextClassLoader(before);
    }
    ConfigLocation.NotFoundException e =
        assertThrows(
            ConfigLocation.NotFoundException.class,
            () -> ConfigLocation.of("classpath:only-here.properties").read(WebResources.NONE));
    assertEquals("not found on the class path", e.getMessage());
  }

  @Test
  void aWebResourceComesFirstAndIsWatchedOnlyWhenUnpacked() throws Exception {
    Path unpacked = Files.writeString(dir.resolve("tollgate.properties"), "limits=7/1m\n");
    ConfigLocation l = ConfigLocation.of("/WEB-INF/tollgate.properties");
    assertEquals(Map.of("limits", "7/1m"), l.read(webApp("limits=7/1m\n", null)));
    assertNull(l.watchablePath(webApp("", null)), "packed WAR");
    assertEquals(unpacked, l.watchablePath(webApp("", unpacked)));
    ConfigLocation.NotFoundException e =
        assertThrows(ConfigLocation.NotFoundException.class, () -> l.read(WebResources.NONE));
    assertEquals("not found in the web application or on the file system", e.getMessage());
  }

  @Test
  void aMissingRelativeFileSaysWhereRelativePathsStart() {
    IOException e =
        assertThrows(
            ConfigLocation.NotFoundException.class,
            () -> ConfigLocation.of("no/such.properties").read(WebResources.NONE));
    assertTrue(e.getMessage().contains(Path.of("").toAbsolutePath().toString()), e.getMessage());
  }

  @Test
  void overridesWinInEitherSpellingAndMessagesNameTheLayer() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("t.properties"), "rules.default.limits=8/1m\npage-size.max=30\n");
    ConfigLocation l = ConfigLocation.of(file.toString());
    TollgateConfig c =
        l.load(
            WebResources.NONE,
            Map.of("limits", "9/1m", "rules.default.page-size.max", "40"),
            "init-params");
    assertEquals("[9/60]", limits(c));
    assertEquals(40, c.defaultRule().pageSize().maxSize());

    ConfigException inOverride =
        assertThrows(
            ConfigException.class,
            () -> l.load(WebResources.NONE, Map.of("limits", "10O/1m"), "init-params"));
    assertTrue(inOverride.getMessage().endsWith("(init-params)"), inOverride.getMessage());
    Files.writeString(file, "page-size.max=-1\n");
    ConfigException inFile =
        assertThrows(ConfigException.class, () -> l.load(WebResources.NONE, Map.of(), "x"));
    assertTrue(inFile.getMessage().endsWith("(in " + file + ")"), inFile.getMessage());
  }

  @Test
  void aMalformedFileIsUnreadableNotACrash() throws Exception {
    Path file = Files.writeString(dir.resolve("t.properties"), "limits=\\u12\n");
    assertThrows(
        IOException.class, () -> ConfigLocation.of(file.toString()).read(WebResources.NONE));
  }
}
