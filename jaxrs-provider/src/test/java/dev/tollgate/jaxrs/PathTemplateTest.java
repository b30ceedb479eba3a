package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The specification's template-to-regex conversion and order, which the page-size index relies on.
 */
class PathTemplateTest {

  @Test
  void aVariableMatchesOneSegmentAndAFinalSlashIsOptional() {
    PathTemplate t = new PathTemplate("/items/{id}");
    assertTrue(t.matches("/items/1"));
    assertTrue(t.matches("/items/1/"));
    assertFalse(t.matches("/items"));
    assertFalse(t.matches("/items/1/more"));
    assertTrue(new PathTemplate("/reports/").matches("/reports"));
    assertTrue(new PathTemplate("/reports").matches("/reports/"));
  }

  @Test
  void aVariableWithARegexMatchesWhatTheRegexMatchesNestedBracesIncluded() {
    PathTemplate names = new PathTemplate("/{name: items|reports}");
    assertTrue(names.matches("/items"));
    assertTrue(names.matches("/reports"));
    assertFalse(names.matches("/other"));
    PathTemplate digits = new PathTemplate("/a/{ id : [0-9]{3} }");
    assertTrue(digits.matches("/a/123"));
    assertFalse(digits.matches("/a/12"));
  }

  @Test
  void literalsAreQuotedAndMatchedPercentEncoded() {
    assertTrue(new PathTemplate("/a b").matches("/a%20b"));
    assertFalse(new PathTemplate("/a.b").matches("/axb"), "a dot is a literal, not any character");
    assertTrue(new PathTemplate("/caf\u00e9").matches("/caf%C3%A9"));
  }

  @Test
  void ordersByLiteralCharactersThenVariablesThenExplicitRegexes() {
    List<PathTemplate> templates =
        new ArrayList<>(
            List.of(
                new PathTemplate("/{a}"),
                new PathTemplate("/x/{id}"),
                new PathTemplate("/x/summary"),
                new PathTemplate("/{a}/{b}"),
                new PathTemplate("/x/{id: [0-9]+}")));
    templates.sort(PathTemplate.ORDER);
    assertEquals("[/x/summary, /x/{id: [0-9]+}, /x/{id}, /{a}/{b}, /{a}]", templates.toString());
  }

  @Test
  void malformedTemplatesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new PathTemplate("/a/{id"));
    assertThrows(IllegalArgumentException.class, () -> new PathTemplate("/a/id}"));
    assertThrows(IllegalArgumentException.class, () -> new PathTemplate("/a/{id: [0-9}"));
  }
}
