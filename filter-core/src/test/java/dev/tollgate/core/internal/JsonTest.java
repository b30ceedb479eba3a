package dev.tollgate.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The JSON strings of problem bodies and status documents. */
class JsonTest {

  @Test
  void printableAsciiIsKeptAsItIs() {
    assertEquals("\"a b~!\"", Json.quote("a b~!"));
    assertEquals("\"\"", Json.quote(""));
  }

  @Test
  void quotesBackslashesAndLineBreaksAreEscaped() {
    assertEquals("\"say \\\"hi\\\" \\\\ \\n\\r\\t\"", Json.quote("say \"hi\" \\ \n\r\t"));
  }

  @Test
  void otherControlCharactersAndNonAsciiAreUnicodeEscapes() {
    assertEquals(
        "\"\\u0000\\u001f\\u007f\\u00e9\\u20ac\"", Json.quote("\u0000\u001f\u007f\u00e9\u20ac"));
  }

  @Test
  void aStringIsCutOnlyWhenLongerThanTheMaximum() {
    assertEquals("abc", Json.truncate("abc", 3));
    assertEquals("ab...", Json.truncate("abc", 2));
    assertEquals("abc", Json.truncate("abc", 4));
  }
}
