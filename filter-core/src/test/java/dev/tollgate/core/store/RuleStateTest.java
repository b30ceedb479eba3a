package dev.tollgate.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tollgate.core.Limit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A rule's states when its limits change at run time: the first limit's state is the rule state's
 * own fields and the others are objects, so a limit that moves to or from the first place must take
 * its counts (and its rolling window's ring) along, and a limit that is new or whose place another
 * took must start empty.
 */
class RuleStateTest {

  private static final long NOW = 1_700_000_000_000L + 30_000; // mid-minute, mid-hour

  private static final Limit MINUTE = Limit.parse("100/1m");
  private static final Limit DAY = Limit.parse("10000/24h rolling");
  private static final Limit HOUR = Limit.parse("500/1h");

  /** A state of {@code limits} that used {@code used[i]} of limit i, each in its own call. */
  private static RuleState used(List<Limit> limits, long... used) {
    RuleState rs = new RuleState("default", limits);
    for (int i = 0; i < limits.size(); i++) {
      rs.state(i).advance(limits.get(i), NOW);
      rs.state(i).consume(limits.get(i), NOW, used[i]);
    }
    return rs;
  }

  private static long usedOf(RuleState rs, List<Limit> limits, int i) {
    Limit limit = limits.get(i);
    rs.state(i).advance(limit, NOW);
    return limit.quota() - rs.state(i).available(limit, NOW);
  }

  @Test
  void limitsThatSwapPlacesKeepTheirCounts() {
    List<Limit> before = List.of(MINUTE, DAY);
    RuleState rs = used(before, 7, 40);
    // The day's ring exists once a second step is used: it must move along too.
    long nextHour = NOW + DAY.precisionMillis();
    rs.state(1).advance(DAY, nextHour);
    rs.state(1).consume(DAY, nextHour, 2);
    int[] ring = rs.state(1).ring;
    assertNotNull(ring);

    List<Limit> after = List.of(DAY, MINUTE);
    rs.conform(after, NOW);
    assertEquals(7, usedOf(rs, after, 1), "the minute, now second");
    assertSame(ring, rs.state(0).ring, "the day, now first, kept its ring");
    assertEquals(42, DAY.quota() - rs.state(0).available(DAY, nextHour), "the day's count");
    assertNull(rs.state(1).ring);
  }

  @Test
  void aNewFirstLimitStartsEmptyAndTheOldFirstMovesBehindIt() {
    List<Limit> before = List.of(MINUTE);
    RuleState rs = used(before, 9);
    List<Limit> after = List.of(HOUR, MINUTE);
    rs.conform(after, NOW);
    assertEquals(0, usedOf(rs, after, 0), "the hour is new");
    assertEquals(9, usedOf(rs, after, 1), "the minute kept its count behind it");
    assertNotSame(rs, rs.state(1));
  }

  @Test
  void whenTheFirstLimitGoesTheSecondTakesItsPlaceAndNothingElseIsKept() {
    List<Limit> before = List.of(MINUTE, DAY);
    RuleState rs = used(before, 5, 60);
    List<Limit> after = List.of(DAY);
    rs.conform(after, NOW);
    assertEquals(60, usedOf(rs, after, 0));
    assertNull(rs.stateIfHeld(1), "no state is left for a second limit");

    rs.conform(List.of(), NOW);
    assertEquals(LimitState.UNSET, rs.at, "no limit: the own state is empty");
    assertEquals(0, rs.count);
  }

  @Test
  void holdingAnotherRuleEmptiesTheOwnState() {
    RuleState rs = used(List.of(DAY), 3);
    rs.state(0).advance(DAY, NOW + DAY.precisionMillis()); // a ring
    rs.hold("reports", List.of(MINUTE, HOUR));
    assertEquals(0, usedOf(rs, List.of(MINUTE, HOUR), 0));
    assertEquals(0, usedOf(rs, List.of(MINUTE, HOUR), 1));
    assertNull(rs.ring);
  }

  @Test
  void clearingTheSlotLetsGoOfTheRing() {
    RuleState rs = used(List.of(DAY), 3);
    rs.state(0).advance(DAY, NOW + DAY.precisionMillis());
    assertNotNull(rs.ring);
    rs.clear();
    assertNull(rs.ring, "an emptied slot keeps no ring alive");
    assertEquals(LimitState.UNSET, rs.at);
    assertEquals(0, rs.count);
  }

  @Test
  void threeLimitsKeepTheirCountsWhenTheLastMovesFirst() {
    // The second limit's state is a field and the third's in an array: a reorder crosses both.
    List<Limit> before = List.of(MINUTE, DAY, HOUR);
    RuleState rs = used(before, 4, 50, 6);
    List<Limit> after = List.of(HOUR, MINUTE, DAY);
    rs.conform(after, NOW);
    assertEquals(6, usedOf(rs, after, 0), "the hour, now first");
    assertEquals(4, usedOf(rs, after, 1), "the minute, now second");
    assertEquals(50, usedOf(rs, after, 2), "the day, now third");
    assertNull(rs.stateIfHeld(3), "no fourth limit");
  }

  @Test
  void limitsAddedUpToThreeStartEmptyBesideTheKeptOnes() {
    // One limit (no second state, no array), then two (a second state), then three (an array).
    List<Limit> one = List.of(MINUTE);
    RuleState rs = used(one, 5);
    List<Limit> two = List.of(MINUTE, DAY);
    rs.conform(two, NOW);
    assertEquals(5, usedOf(rs, two, 0));
    assertEquals(0, usedOf(rs, two, 1), "the day is new");
    assertNull(rs.stateIfHeld(2));
    rs.state(1).consume(DAY, NOW, 30);
    List<Limit> three = List.of(MINUTE, DAY, HOUR);
    rs.conform(three, NOW);
    assertEquals(5, usedOf(rs, three, 0));
    assertEquals(30, usedOf(rs, three, 1), "the day kept its count");
    assertEquals(0, usedOf(rs, three, 2), "the hour is new");
    assertNotSame(rs.state(1), rs.state(2));
  }

  @Test
  void fromThreeLimitsToTwoTheThirdStateGoes() {
    List<Limit> before = List.of(MINUTE, DAY, HOUR);
    RuleState rs = used(before, 4, 50, 6);
    List<Limit> after = List.of(HOUR, DAY);
    rs.conform(after, NOW);
    assertEquals(6, usedOf(rs, after, 0));
    assertEquals(50, usedOf(rs, after, 1));
    assertNotNull(rs.stateIfHeld(1));
    assertNull(rs.stateIfHeld(2), "no state is left for a third limit");
  }

  @Test
  void holdingARuleOfThreeLimitsGivesEachAnEmptyStateOfItsOwn() {
    List<Limit> three = List.of(MINUTE, DAY, HOUR);
    RuleState rs = used(List.of(MINUTE, DAY), 8, 9);
    rs.hold("reports", three);
    for (int i = 0; i < three.size(); i++) {
      assertEquals(0, usedOf(rs, three, i), "limit " + i);
      assertSame(rs.state(i), rs.stateIfHeld(i), "limit " + i);
    }
    assertNotSame(rs.state(1), rs.state(2));
    assertNull(rs.stateIfHeld(3), "no fourth limit");
    rs.state(2).consume(HOUR, NOW, 3);
    assertEquals(0, usedOf(rs, three, 1), "the second does not count the third's units");
    assertEquals(3, usedOf(rs, three, 2));

    rs.clear();
    assertNull(rs.stateIfHeld(1), "an emptied slot holds no second state");
    assertNull(rs.stateIfHeld(2), "nor a third");
  }

  @Test
  void holdingARuleOfOneLimitKeepsNoSecondState() {
    RuleState rs = used(List.of(MINUTE, DAY), 8, 9);
    rs.hold("reports", List.of(HOUR));
    assertEquals(0, usedOf(rs, List.of(HOUR), 0));
    assertNull(rs.stateIfHeld(1), "a one-limit rule costs no second object");
  }
}
