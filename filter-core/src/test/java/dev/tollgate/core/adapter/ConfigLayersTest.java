package dev.tollgate.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A configuration of a file and overrides: a bad value is traced to the layer that set it. */
class ConfigLayersTest {

  @Test
  void aBadValueInTheFileIsNamedAsTheFilesNotTheOverrides() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLayers.parse(
                    Map.of("limits", "10O/1m"),
                    "in tollgate.properties",
                    Map.of("page-size.max", "40"),
                    "in init-params"));
    assertEquals("limits", e.key());
    assertTrue(e.getMessage().endsWith("(in tollgate.properties)"), e.getMessage());
  }

  @Test
  void aBadOverrideIsNamedAsTheOverrides() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLayers.parse(
                    Map.of("limits", "10/1m"),
                    "in tollgate.properties",
                    Map.of("rules.default.limits", "10O/1m"),
                    "in init-params"));
    assertTrue(e.getMessage().endsWith("(in init-params)"), e.getMessage());
  }

  @Test
  void withoutAWebApplicationNoResourceHasAPathOnDisk() {
    assertNull(WebResources.NONE.realPath("/WEB-INF/tollgate.properties"));
    assertNull(WebResources.NONE.open("/WEB-INF/tollgate.properties"));
    assertEquals(
        "classpath:tollgate.properties",
        ConfigLocation.of("classpath:tollgate.properties").toString());
  }
}
