package dev.tollgate.core;

/**
 * How a {@link Limit} counts requests over its window.
 *
 * <p>All three decide in O(1) memory per client and limit except {@link #ROLLING_WINDOW}, which
 * keeps one counter per {@linkplain Limit#precision() precision step}.
 */
public enum Algorithm {

  /**
   * Counts requests in windows aligned to the epoch (a 1-minute window runs from :00 to :59), and
   * restores the whole quota when the window ends. Exact within a window; across a window boundary
   * a client can get up to twice the quota in one window's length (a burst at the end of one window
   * and at the start of the next). One counter and one timestamp per client.
   */
  FIXED_WINDOW("fixed"),

  /**
   * Never admits more than the quota within any span of the window's length, at any alignment.
   * Requests are counted in buckets of {@link Limit#precision()}; a bucket counts until the whole
   * bucket has left the window, so the limit errs on the strict side: a client may have to wait up
   * to one precision step longer than an exact request log would make it. Memory: one {@code int}
   * per bucket ({@code window / precision + 1} buckets) per client.
   */
  ROLLING_WINDOW("rolling"),

  /**
   * A token bucket (implemented as GCRA): the bucket holds up to the quota and refills smoothly at
   * {@code quota / window}, so a client may burst the full quota and then gets one request every
   * {@code window / quota}. Within any window's length it admits at most twice the quota (a full
   * bucket plus one window of refill). One timestamp per client.
   */
  TOKEN_BUCKET("token-bucket");

  private final String configName;

  Algorithm(String configName) {
    this.configName = configName;
  }

  /** The word that selects this algorithm in a limit expression, e.g. {@code rolling}. */
  public String configName() {
    return configName;
  }

  /** Reads {@code fixed}, {@code rolling} or {@code token-bucket}, ignoring case. */
  public static Algorithm fromConfig(String word) {
    return ConfigWords.fromConfig(values(), Algorithm::configName, word, "an algorithm");
  }
}
