package dev.tollgate.core;

import static dev.tollgate.core.Fixtures.admitted;
import static dev.tollgate.core.Fixtures.engine;
import static dev.tollgate.core.Fixtures.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.internal.Hashing;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The RFC 9457 body of a 429. */
class QuotaProblemTest {

  private final FakeClock clock = FakeClock.at1800();

  @Test
  void the429BodyIsAQuotaExceededProblemListingExactlyTheRejectingPolicies() {
    Tollgate t =
        engine(
            clock,
            "limits",
            "100/1m, 1000/1d",
            "rules.reports.path",
            "/api/reports",
            "rules.reports.limits",
            "2/1m, 50/1h as hourly");
    TestRequest r = TestRequest.get("/api/reports");
    assertEquals(2, admitted(t, r, 2));
    Verdict v = t.check(r);
    assertEquals(429, v.status());
    assertEquals(Verdict.Outcome.RATE_LIMITED, v.outcome());
    assertFalse(v.proceed());
    assertEquals(
        "application/problem+json", v.contentType(), "what the adapters send as Content-Type");
    assertEquals(v.problemBody(), v.body());
    Map<String, Object> body = MiniJson.object(v.problemBody());
    assertEquals(
        Map.of(
                "type",
                0,
                "title",
                0,
                "status",
                0,
                "detail",
                0,
                "violated-policies",
                0,
                "retry-after",
                0)
            .keySet(),
        body.keySet(),
        "exactly these members");
    assertEquals(
        "The request exceeds the quota of policy reports.minute; retry in 60 seconds.",
        body.get("detail"));
    assertEquals(
        "https://iana.org/assignments/http-problem-types#quota-exceeded", body.get("type"));
    assertEquals(429L, body.get("status"));
    assertEquals("Too Many Requests", body.get("title"));
    assertEquals(List.of("reports.minute"), body.get("violated-policies"));
    assertEquals(60L, body.get("retry-after"));
    assertEquals(header(v, "Retry-After"), body.get("retry-after").toString());
  }

  @Test
  void defaultRuleLimitsAreNamedByTheirOwnNameAndSeveralCanBeListed() {
    Tollgate t =
        engine(
            clock,
            "limits",
            "3/1m, 3/1h as hourly",
            "rules.reports.path",
            "/api/reports",
            "rules.reports.limits",
            "3/1m");
    TestRequest r = TestRequest.get("/api/reports");
    assertEquals(3, admitted(t, r, 3));
    Map<String, Object> body = MiniJson.object(t.check(r).problemBody());
    assertEquals(List.of("minute", "hourly", "reports.minute"), body.get("violated-policies"));
    assertEquals(3600L, body.get("retry-after"));

    Map<String, Object> onlyDefault =
        MiniJson.object(t.check(TestRequest.get("/other")).problemBody());
    assertEquals(List.of("minute", "hourly"), onlyDefault.get("violated-policies"));
  }

  @Test
  void the429BodyHoldsNoClientKeyAndNoInternalName() {
    String apiKey = "sk_live_SECRET-123";
    Tollgate t =
        engine(
            clock,
            "limits",
            "1/1m",
            "client.key",
            "header:X-Api-Key, ip",
            "headers.dialects",
            "ietf, teos, github");
    TestRequest r = TestRequest.get("/x").header("X-Api-Key", apiKey).from("198.51.100.23");
    assertTrue(t.check(r).proceed());
    Verdict v = t.check(r);
    assertEquals(429, v.status());
    String everything = v.problemBody() + v.headers();
    for (String secret :
        List.of(
            apiKey,
            Hashing.digest(apiKey),
            "key:",
            "198.51.100.23",
            "ip:",
            "dev.tollgate",
            "Exception",
            "Bucket",
            "anonymous")) {
      assertFalse(everything.contains(secret), secret + " leaked: " + everything);
    }
  }

  @Test
  void anAdmittedRequestHasNoProblemBody() {
    Verdict v = engine(clock, "limits", "1/1m").check(TestRequest.get("/x"));
    assertTrue(v.proceed());
    assertEquals(null, v.problemBody());
  }

  @Test
  void clientsRejectedByOtherPoliciesAtTheSameRetryTimeEachGetTheirOwnBody() {
    // a (per minute) and b (per hour) end together at 19:00, so both rejections say "retry in 50
    // seconds"; only the policies named tell them apart.
    FakeClock late = new FakeClock(Instant.parse("2026-11-22T18:58:10Z"));
    Tollgate t = engine(late, "limits", "1000/1d as c, 2/1m as a, 3/1h as b");
    TestRequest overB = TestRequest.get("/x").from("192.0.2.2");
    assertEquals(2, admitted(t, overB, 2));
    late.advanceSeconds(60);
    assertEquals(1, admitted(t, overB, 1));
    TestRequest overA = TestRequest.get("/x").from("192.0.2.1");
    assertEquals(2, admitted(t, overA, 2));

    Verdict a = t.check(overA);
    Verdict aAgain = t.check(overA);
    Verdict b = t.check(overB);
    assertEquals(List.of("a"), MiniJson.object(a.problemBody()).get("violated-policies"));
    assertEquals(List.of("b"), MiniJson.object(b.problemBody()).get("violated-policies"));
    assertEquals(50L, MiniJson.object(b.problemBody()).get("retry-after"));
    assertEquals(a.problemBody(), aAgain.problemBody(), "the same rejection, the same body");
    assertEquals(
        "The request exceeds the quota of policy a; retry in 50 seconds.",
        MiniJson.object(aAgain.problemBody()).get("detail"));
  }
}
