package dev.tollgate.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.Algorithm;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Lua scripts know the algorithms by the codes Java gives them ({@link AcquireScript#code}):
 * every {@link Algorithm} has a distinct one-letter code, and acquire.lua's and charge.lua's tables
 * have exactly those keys, each with all of its state functions. Also keeps the README's list of
 * the Redis commands the scripts need true. No Redis needed.
 */
class ScriptAlgorithmsTest {

  private static final String ACQUIRE = AcquireScript.resource("acquire.lua");
  private static final String CHARGE = AcquireScript.resource("charge.lua");

  /** What acquire.lua calls on each algorithm's state table. */
  private static final Set<String> STATE_FUNCTIONS =
      Set.of("load", "advance", "available", "consume", "reset", "retry", "save");

  @Test
  void everyAlgorithmHasADistinctLowerCaseLetterAsItsCode() {
    Set<String> codes = javaCodes();
    assertEquals(Algorithm.values().length, codes.size(), "distinct codes: " + codes);
    // Upper case marks a limit charged after the response (see acquire.lua's ARGV[5]).
    assertTrue(codes.stream().allMatch(c -> c.matches("[a-z]")), codes.toString());
  }

  @Test
  void acquireLuaHasAStateWithAllItsFunctionsForEveryCodeAndNoOther() {
    Matcher table =
        Pattern.compile("local ALGORITHMS = \\{([^}]*)\\}").matcher(ACQUIRE); // f = Fixed, ...
    assertTrue(table.find(), "acquire.lua's ALGORITHMS table");
    TreeSet<String> keys = new TreeSet<>();
    for (String entry : table.group(1).split(",")) {
      String[] kv = entry.trim().split("\\s*=\\s*");
      keys.add(kv[0]);
      String state = kv[1];
      for (String function : STATE_FUNCTIONS) {
        assertTrue(
            ACQUIRE.contains("function " + state + "." + function + "("),
            "acquire.lua defines " + state + "." + function + " for code " + kv[0]);
      }
    }
    assertEquals(javaCodes(), keys);
  }

  @Test
  void chargeLuaStatesAndRefundsHaveEveryCodeAndNoOther() {
    Matcher table = Pattern.compile("local STATES = \\{([^}]*)\\}").matcher(CHARGE);
    assertTrue(table.find(), "charge.lua's STATES table");
    assertEquals(
        javaCodes(),
        Arrays.stream(table.group(1).split(","))
            .map(e -> e.trim().split("\\s*=\\s*")[0])
            .collect(Collectors.toCollection(TreeSet::new)));
    assertEquals(javaCodes(), matches(CHARGE, "function REFUND\\.(\\w+)\\("));
  }

  @Test
  void theScriptsCallOnlyTheRedisCommandsTheReadmeNames() {
    // README, "How it decides": what a Redis must have for the store. HSET with several fields
    // needs Redis 4.0; writes after TIME need effects replication (3.2, the default from 5.0).
    Set<String> named =
        new TreeSet<>(
            Set.of("GET", "SET", "SETRANGE", "DEL", "HGETALL", "HSET", "HDEL", "PEXPIRE", "TIME"));
    Set<String> called = matches(ACQUIRE + CHARGE, "redis\\.p?call\\('(\\w+)'");
    assertEquals(named, called);
  }

  private static Set<String> javaCodes() {
    return Arrays.stream(Algorithm.values())
        .map(AcquireScript::code)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> matches(String text, String regex) {
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile(regex).matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
