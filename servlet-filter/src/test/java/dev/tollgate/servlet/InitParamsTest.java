package dev.tollgate.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.tollgate.core.HeaderDialect;
import dev.tollgate.core.TollgateConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitParamsTest {

  private final ServletContext context = mock(ServletContext.class);

  private TollgateConfig init(String... keysAndValues) throws ServletException {
    TollgateFilter f = new TollgateFilter();
    f.init(Mocks.filterConfig(context, keysAndValues));
    try {
      return f.engine().config();
    } finally {
      f.destroy();
    }
  }

  private static String limits(TollgateConfig c) {
    // quota/window in seconds: independent of how core prints a limit
    return c.defaultRule().limits().stream()
        .map(l -> l.quota() + "/" + l.window().getSeconds())
        .toList()
        .toString();
  }

  @Test
  void noInitParamsMeansCoreDefaults() throws Exception {
    TollgateConfig c = init();
    assertEquals("[100/60]", limits(c));
    assertEquals(List.of(HeaderDialect.IETF), c.dialects());
  }

  @Test
  void inlineInitParamsUseCoreKeysAndShorthands() throws Exception {
    TollgateConfig c =
        init(
            "limits",
            "100/1m, 10000/24h rolling",
            "client.key",
            "header:X-Api-Key, ip",
            "page-size.default",
            "10",
            "page-size.max",
            "50",
            "headers.dialects",
            "ietf, teos");
    assertEquals("[100/60, 10000/86400]", limits(c));
    assertEquals(10, c.defaultRule().pageSize().defaultSize());
    assertEquals(50, c.defaultRule().pageSize().maxSize());
    assertEquals(List.of(HeaderDialect.IETF, HeaderDialect.TEOS), c.dialects());
  }

  @Test
  void configFileIsReadFromTheClassPath() throws Exception {
    TollgateConfig c = init("config", "classpath:tollgate-test.properties");
    assertEquals("[5/60]", limits(c));
    assertEquals("reports", c.rules().get(0).name());
  }

  @Test
  void configFileIsReadFromTheWebApplication() throws Exception {
    when(context.getResourceAsStream("/WEB-INF/tollgate.properties"))
        .thenReturn(new ByteArrayInputStream("limits=7/1m\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals("[7/60]", limits(init("config", "/WEB-INF/tollgate.properties")));
  }

  @Test
  void configFileIsReadFromAFilePath(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("tollgate.properties"), "limits=8/1m\n");
    assertEquals("[8/60]", limits(init("config", file.toString())));
    assertEquals("[8/60]", limits(init("config", "file:" + file)));
  }

  @Test
  void initParamsOverrideTheFileInEitherSpellingOfAKey(@TempDir Path dir) throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("t.properties"), "rules.default.limits=8/1m\npage-size.max=30\n");
    TollgateConfig c =
        init("config", file.toString(), "limits", "9/1m", "rules.default.page-size.max", "40");
    assertEquals("[9/60]", limits(c));
    assertEquals(40, c.defaultRule().pageSize().maxSize());
  }

  @Test
  void badInitParamFailsWithItsKeyValueAndWhereItWasSet() {
    ServletException e = assertThrows(ServletException.class, () -> init("limits", "10O/1m"));
    assertTrue(e.getMessage().contains("limits: '10O/1m'"), e.getMessage());
    assertTrue(e.getMessage().contains("init-param of filter 'tollgate'"), e.getMessage());
  }

  @Test
  void badValueInTheFileNamesTheFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("t.properties"), "headers.dialects=ietf, klingon\n");
    ServletException e =
        assertThrows(ServletException.class, () -> init("config", file.toString()));
    assertTrue(e.getMessage().contains("headers.dialects: 'klingon'"), e.getMessage());
    assertTrue(e.getMessage().contains("in " + file), e.getMessage());
  }

  @Test
  void unknownKeyFailsStartup() {
    ServletException e = assertThrows(ServletException.class, () -> init("limit", "5/1m"));
    assertTrue(
        e.getMessage().startsWith("Tollgate filter 'tollgate' cannot start: limit: unknown key"),
        e.getMessage());
  }

  @Test
  void missingConfigFileFailsStartupNamingTheLocation() {
    ServletException onClassPath =
        assertThrows(ServletException.class, () -> init("config", "classpath:nope.properties"));
    assertTrue(
        onClassPath.getMessage().contains("config: 'classpath:nope.properties' cannot be read"),
        onClassPath.getMessage());
    ServletException inWebApp =
        assertThrows(ServletException.class, () -> init("config", "/WEB-INF/nope.properties"));
    assertTrue(
        inWebApp.getMessage().contains("config: '/WEB-INF/nope.properties' cannot be read"),
        inWebApp.getMessage());
  }

  @Test
  void unknownStoreTypeFailsStartup() {
    ServletException e =
        assertThrows(ServletException.class, () -> init("store.type", "carrier-pigeon"));
    assertTrue(e.getMessage().contains("store.type: 'carrier-pigeon'"), e.getMessage());
  }
}
