package dev.tollgate.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.core.ClientKeyResolver;
import dev.tollgate.core.ClientKeys;
import dev.tollgate.core.Header;
import dev.tollgate.core.RequestView;
import dev.tollgate.core.Tollgate;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.core.Verdict;
import java.util.List;
import java.util.Map;

/**
 * Hostile identity headers (API keys, Authorization, Forwarded, X-Forwarded-For) never make core
 * throw, never produce an unbounded key, and nothing of them reaches a response header or problem
 * body.
 *
 * <p>The clock stands still, so every rejection's body is the same whoever the client is: a key
 * that is part of that common text (say {@code ":184"} of {@code "retry-after":184}) is no echo;
 * the fuzzer found one such key when the clock moved (kept as the inputs {@code key-184-*}, which
 * the same key sends twice to this clock: rejected in 184 seconds).
 */
class ClientHeaderFuzzTest {

  private static final Tollgate TOLLGATE =
      Tollgate.builder(
              TollgateConfig.parse(
                  Map.of(
                      "limits",
                      "1/1h",
                      "client.key",
                      "header:X-Api-Key, bearer, ip",
                      "client.trusted-proxies",
                      "10.0.0.0/8, ::1",
                      "headers.dialects",
                      "ietf, github")))
          .clock(() -> 1_700_002_616_000L)
          .build();

  /** A rejection of a client named nothing like a fuzzed key: the text every rejection shares. */
  private static final String REJECTION_BODY = rejectionOfAnOrdinaryClient();

  private static final ClientKeyResolver IP = ClientKeys.ip(List.of("10.0.0.0/8", "::1"), 56);

  @FuzzTest(maxDuration = "10s")
  void hostileIdentityHeaders_areContained(FuzzedDataProvider data) {
    String apiKey = data.consumeBoolean() ? data.consumeString(300) : null;
    String auth = data.consumeBoolean() ? "Bearer " + data.consumeString(200) : null;
    String forwarded = data.consumeString(200);
    String xff = data.consumeString(200);
    String peer = data.pickValue(List.of("10.1.2.3", "::1", "203.0.113.9", data.consumeString(40)));
    RequestView r = request(apiKey, auth, forwarded, xff, peer);
    String ip = IP.resolve(r);
    if (ip != null && ip.length() > 64) {
      throw new AssertionError("ip key too long: " + ip);
    }
    Verdict v = TOLLGATE.check(r);
    for (Header h : v.headers()) {
      for (char c : h.value().toCharArray()) {
        if (c < 0x20 || c > 0x7e) {
          throw new AssertionError("control or non-ASCII character in header " + h);
        }
      }
    }
    String body = v.body() == null ? "" : v.body();
    if (apiKey != null
        && apiKey.length() > 3
        && body.contains(apiKey)
        && !REJECTION_BODY.contains(apiKey)) {
      throw new AssertionError("API key echoed in body");
    }
  }

  private static String rejectionOfAnOrdinaryClient() {
    RequestView ordinary =
        request("an-ordinary-client-of-the-fuzz-test", null, "", "", "203.0.113.1");
    TOLLGATE.check(ordinary);
    String body = TOLLGATE.check(ordinary).body();
    if (body == null || !body.contains("Too Many Requests")) {
      throw new AssertionError("the second request of a 1/1h limit is not rejected: " + body);
    }
    return body;
  }

  /** A GET of {@code /} with these identity headers from {@code peer}. */
  private static RequestView request(
      String apiKey, String auth, String forwarded, String xff, String peer) {
    return new RequestView() {
      @Override
      public String method() {
        return "GET";
      }

      @Override
      public String path() {
        return "/";
      }

      @Override
      public String header(String name) {
        switch (name.toLowerCase()) {
          case "x-api-key":
            return apiKey;
          case "authorization":
            return auth;
          default:
            return null;
        }
      }

      @Override
      public List<String> headers(String name) {
        switch (name.toLowerCase()) {
          case "forwarded":
            return forwarded.isEmpty() ? List.of() : List.of(forwarded);
          case "x-forwarded-for":
            return List.of(xff);
          default:
            return List.of();
        }
      }

      @Override
      public String remoteAddress() {
        return peer;
      }

      @Override
      public String principalName() {
        return null;
      }

      @Override
      public List<String> parameterValues(String name) {
        return List.of();
      }
    };
  }
}
