package dev.tollgate.redis;

import dev.tollgate.core.Algorithm;
import dev.tollgate.core.Clock;
import dev.tollgate.core.Limit;
import dev.tollgate.core.store.Bucket;
import dev.tollgate.core.store.LimitUsage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The server-side script ({@code acquire.lua}) and the encoding of its arguments and reply. One
 * call decides every limit of the buckets it is given, atomically, on the Redis server's clock.
 */
final class AcquireScript {

  static final String SOURCE = load();
  static final String SHA1 = sha1(SOURCE);

  /**
   * The values of a decision in the batch form's arguments: the short form's but marker and time.
   */
  private static final int BATCH_FIELDS = 6;

  /** The values of the short form's reply (one limit): admitted, now, usage (3), taken. */
  private static final int SHORT_REPLY = 6;

  private AcquireScript() {}

  /**
   * The script's arguments.
   *
   * @param nowMillis the time to decide at, or {@code null} to use the Redis server's {@code TIME}
   * @param rejectedBefore true if an earlier call for the same request already rejected it
   * @param lease if admitted, how many requests of this cost to take at once (1: this one only)
   */
  static String[] args(
      List<Bucket> buckets, int cost, @Nullable Long nowMillis, boolean rejectedBefore, int lease) {
    String time = nowMillis == null ? "" : Long.toString(nowMillis);
    if (shortForm(buckets)) {
      Bucket b = buckets.get(0);
      Limit l = b.limits().get(0);
      // The script's short form (see acquire.lua): its fast path reads fewer arguments.
      return new String[] {
        "F",
        time,
        Integer.toString(cost),
        Integer.toString(lease),
        rejectedBefore ? "1" : "0",
        b.countRejected() ? "1" : "0",
        Long.toString(l.quota()),
        Long.toString(l.windowMillis())
      };
    }
    List<String> a = new ArrayList<>(5 + buckets.size() * 10);
    a.add(Integer.toString(cost));
    a.add(time);
    a.add(rejectedBefore ? "1" : "0");
    a.add(Integer.toString(lease));
    a.add(Integer.toString(buckets.size()));
    for (Bucket b : buckets) {
      a.add(b.countRejected() ? "1" : "0");
      a.add(Integer.toString(b.limits().size()));
      for (Limit l : b.limits()) {
        // Upper case: charged after the response, so admission only checks it (see acquire.lua).
        boolean after = b.requestsAfterResponse() || l.unit().chargedAfterResponse();
        a.add(after ? code(l).toUpperCase(Locale.ROOT) : code(l));
        a.add(Long.toString(l.quota()));
        a.add(Long.toString(l.windowMillis()));
        a.add(Long.toString(l.precision().toMillis()));
      }
    }
    return a.toArray(new String[0]);
  }

  /** Whether {@link #args} gives these buckets the script's short form (its fast path). */
  static boolean shortForm(List<Bucket> buckets) {
    return buckets.size() == 1 && isOneFixedWindow(buckets.get(0));
  }

  /**
   * The arguments of the script's batch form: the decisions' {@linkplain #args short forms}, in
   * order, decided at the first one's time.
   */
  static String[] batchArgs(List<String[]> shortForms) {
    String[] a = new String[3 + shortForms.size() * BATCH_FIELDS];
    a[0] = "B";
    a[1] = shortForms.get(0)[1];
    a[2] = Integer.toString(shortForms.size());
    int i = 3;
    for (String[] f : shortForms) {
      // The short form without its marker and time.
      System.arraycopy(f, 2, a, i, BATCH_FIELDS);
      i += BATCH_FIELDS;
    }
    return a;
  }

  /**
   * Decision {@code i}'s reply within the reply of the batch form: the reply the short form would
   * have given it.
   */
  static List<Object> batchReply(List<Object> reply, int i) {
    return reply.subList(i * SHORT_REPLY, (i + 1) * SHORT_REPLY);
  }

  /**
   * The error of a decision that failed inside the batch form ({@link #batchReply}), or null if it
   * was decided: the script replies -1 and the error's message in place of admitted and now.
   */
  static @Nullable String batchError(List<Object> shortReply) {
    Object admitted = shortReply.get(0);
    return admitted instanceof Long && (Long) admitted == -1
        ? String.valueOf(shortReply.get(1))
        : null;
  }

  /**
   * Whether {@code reply} has the size of the reply to {@code decisions} short-form decisions: of
   * the short form for one, of the batch form for more.
   */
  static boolean isReply(List<Object> reply, int decisions) {
    return reply.size() == decisions * SHORT_REPLY;
  }

  /** One fixed window counted at decision: what the script's fast path decides. */
  private static boolean isOneFixedWindow(Bucket b) {
    if (b.limits().size() != 1 || b.requestsAfterResponse()) {
      return false;
    }
    Limit l = b.limits().get(0);
    return l.algorithm() == Algorithm.FIXED_WINDOW && !l.unit().chargedAfterResponse();
  }

  /**
   * The time argument of the scripts: the test clock's, or {@code null} to decide at the Redis
   * server's {@code TIME}.
   */
  static @Nullable Long scriptTime(@Nullable Clock scriptClock) {
    return scriptClock == null ? null : scriptClock.millis();
  }

  /** Whether the reply admits the request. */
  static boolean admitted(List<Object> reply) {
    return number(reply, 0) == 1;
  }

  /** The Redis server's time of the decision, epoch milliseconds. */
  static long nowMillis(List<Object> reply) {
    return number(reply, 1);
  }

  /** How many requests the reply took: 1, up to the lease asked for, or 0 if it rejected. */
  static int taken(List<Object> reply) {
    return (int) number(reply, reply.size() - 1);
  }

  /** Appends the usages of the reply's limits, in the order of {@code buckets}. */
  static void usages(List<Object> reply, List<Bucket> buckets, List<LimitUsage> out) {
    int i = 2;
    for (Bucket b : buckets) {
      for (Limit l : b.limits()) {
        out.add(new LimitUsage(l, number(reply, i), number(reply, i + 1), number(reply, i + 2)));
        i += 3;
      }
    }
    if (i != reply.size() - 1) {
      throw new IllegalStateException("unexpected script reply of " + reply.size() + " values");
    }
  }

  private static long number(List<Object> reply, int i) {
    Object o = reply.get(i);
    if (!(o instanceof Long)) {
      throw new IllegalStateException("unexpected script reply value " + o);
    }
    return (Long) o;
  }

  static String code(Limit l) {
    return code(l.algorithm());
  }

  /**
   * The scripts' code of an algorithm: the key of its state functions in acquire.lua's {@code
   * ALGORITHMS} and charge.lua's {@code STATES} and {@code REFUND} (ScriptAlgorithmsTest checks
   * that they match). No default: a new {@link Algorithm} does not compile until it has a code.
   */
  static String code(Algorithm algorithm) {
    return switch (algorithm) {
      case FIXED_WINDOW -> "f";
      case ROLLING_WINDOW -> "r";
      case TOKEN_BUCKET -> "t";
    };
  }

  private static String load() {
    return resource("acquire.lua");
  }

  static String resource(String name) {
    try (InputStream in = AcquireScript.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the redis-store jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha1(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
