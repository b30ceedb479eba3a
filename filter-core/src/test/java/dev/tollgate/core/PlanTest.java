package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One plan as built in code: what it holds, and what its builder refuses. */
class PlanTest {

  @Test
  void aPlanHoldsWhatItWasGivenWithLimitsNamedAfterIt() {
    Plan p =
        Plan.builder("pro")
            .limits(Limit.parse("1000/1m"))
            .ruleLimits("reports", Limit.parse("100/1m"))
            .cost(1)
            .pageSizeMax(1)
            .maxConcurrent(1)
            .clients("user:alice")
            .roles(" partner ")
            .build();

    assertEquals("pro", p.name());
    assertEquals("pro-minute", p.limits().get(0).name());
    assertEquals(
        List.of("pro-minute"), p.ruleLimits().get("reports").stream().map(Limit::name).toList());
    assertEquals(1, p.cost());
    assertEquals(1, p.pageSizeMax());
    assertEquals(1, p.maxConcurrent());
    assertEquals(List.of("user:alice"), p.clients());
    assertEquals(List.of("partner"), p.roles());
  }

  @Test
  void anEmptyPlanKeepsTheRulesOwnSettings() {
    Plan p = Plan.builder("basic").build();

    assertNull(p.limits());
    assertEquals(Map.of(), p.ruleLimits());
    assertNull(p.cost());
    assertNull(p.pageSizeMax());
    assertNull(p.maxConcurrent());
    assertEquals("plan basic:", p.toString());
  }

  @Test
  void aCostEqualToTheQuotaIsAllowedAndAboveItIsRefused() {
    assertEquals(5, Plan.builder("pro").limits(Limit.parse("5/1m")).cost(5).build().cost());

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Plan.builder("pro").limits(Limit.parse("5/1m")).cost(6).build());
    assertEquals(
        "cost 6 exceeds the quota of 5/1m as minute, so no request could pass", e.getMessage());
  }

  @Test
  void numbersBelowOneAreRefused() {
    assertEquals(
        "cost must be at least 1 but was 0",
        assertThrows(IllegalArgumentException.class, () -> Plan.builder("p").cost(0)).getMessage());
    assertEquals(
        "page size maximum must be at least 1 but was 0",
        assertThrows(IllegalArgumentException.class, () -> Plan.builder("p").pageSizeMax(0))
            .getMessage());
    assertEquals(
        "concurrency cap must be at least 1 but was 0",
        assertThrows(IllegalArgumentException.class, () -> Plan.builder("p").maxConcurrent(0))
            .getMessage());
  }
}
