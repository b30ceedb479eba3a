package dev.tollgate.core.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tollgate.core.ClientUsage;
import dev.tollgate.core.Clock;
import dev.tollgate.core.Limit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The default store: counts in this JVM's heap. Exact under any number of threads (each client's
 * state has its own lock, and a request's buckets are locked together in a fixed order), and
 * bounded: at most {@code maxClients} client states are held, idle ones are dropped as soon as their
 * windows have passed, and when the bound is reached Caffeine's W-TinyLFU policy evicts the
 * least valuable entry, so a flood of one-off keys does not push out clients that call regularly.
 *
 * <p>One JVM only: behind a load balancer each server counts on its own. Use the Redis store to share
 * limits across servers.
 */
public final class InMemoryStore implements RateLimitStore {

  /** The default bound on tracked client states (a client under two rules holds two). */
  public static final long DEFAULT_MAX_CLIENTS = 100_000;

  private final Cache<StateKey, ClientState> states;
  private final Clock clock;
  private final long maxClients;

  private InMemoryStore(long maxClients, Clock clock) {
    this.clock = clock;
    this.maxClients = maxClients;
    this.states = Caffeine.newBuilder()
        .maximumSize(maxClients)
        .expireAfter(new IdleExpiry())
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        // Maintenance on the calling thread keeps the bound tight and needs no pool.
        .executor(Runnable::run)
        // Runs atomically with the removal: a request that still holds the dropped state sees it
        // retired once it gets the lock, and looks the client up again, so one client never has
        // two live states (which could admit more than the quota).
        .evictionListener((StateKey key, ClientState state, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
          if (state != null) {
            synchronized (state) {
              state.retire();
            }
          }
        })
        .build();
  }

  /** A store holding at most {@value #DEFAULT_MAX_CLIENTS} client states, on the system clock. */
  public static InMemoryStore create() {
    return create(DEFAULT_MAX_CLIENTS, Clock.system());
  }

  /**
   * A store holding at most {@code maxClients} client states.
   *
   * @throws IllegalArgumentException if {@code maxClients} is below 1
   */
  public static InMemoryStore create(long maxClients, Clock clock) {
    Objects.requireNonNull(clock, "clock");
    if (maxClients < 1) {
      throw new IllegalArgumentException("maxClients must be at least 1 but was " + maxClients);
    }
    return new InMemoryStore(maxClients, clock);
  }

  @Override
  public AcquireResult acquire(AcquireRequest request) {
    List<Bucket> buckets = request.buckets();
    if (buckets.size() == 1) {
      Bucket bucket = buckets.get(0);
      StateKey key = new StateKey(bucket.rule(), bucket.client());
      while (true) {
        ClientState state = stateOf(key, bucket);
        synchronized (state) {
          if (!state.retired()) {
            return bucket.limits().size() == 1
                ? decideOne(bucket, state, request.cost())
                : decide(request, new ClientState[] {state});
          }
        }
      }
    }
    while (true) {
      AcquireResult result = acquireAll(request, buckets);
      if (result != null) {
        return result;
      }
    }
  }

  /** Decides with every bucket's state locked; null if one was dropped meanwhile (try again). */
  private AcquireResult acquireAll(AcquireRequest request, List<Bucket> buckets) {
    ClientState[] held = new ClientState[buckets.size()];
    StateKey[] keys = new StateKey[held.length];
    for (int i = 0; i < held.length; i++) {
      keys[i] = new StateKey(buckets.get(i).rule(), buckets.get(i).client());
      held[i] = stateOf(keys[i], buckets.get(i));
    }
    Integer[] order = new Integer[held.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // A fixed lock order (by key) makes two requests that share buckets unable to deadlock.
    Arrays.sort(order, (a, b) -> keys[a].compareTo(keys[b]));
    return lockAndDecide(request, held, order, 0);
  }

  /** The number of client states held now (at most the configured bound). */
  public long trackedClients() {
    states.cleanUp();
    return states.estimatedSize();
  }

  /**
   * The {@code n} client states with the largest used share of any of their limits, largest first.
   * Walks every tracked state: meant for an operator's occasional look, not the request path.
   */
  public List<ClientUsage> heaviestClients(int n) {
    long now = clock.millis();
    java.util.PriorityQueue<ClientUsage> top = new java.util.PriorityQueue<>(
        java.util.Comparator.comparingDouble(ClientUsage::usedShare));
    for (Map.Entry<StateKey, ClientState> e : states.asMap().entrySet()) {
      ClientState state = e.getValue();
      ClientUsage heaviest = null;
      synchronized (state) {
        List<Limit> limits = state.limits();
        for (int i = 0; i < limits.size(); i++) {
          Limit limit = limits.get(i);
          LimitState s = state.state(i);
          s.advance(limit, now);
          long used = limit.quota() - s.available(limit, now);
          ClientUsage u = new ClientUsage(e.getKey().rule, e.getKey().client, limit, used);
          if (heaviest == null || u.usedShare() > heaviest.usedShare()) {
            heaviest = u;
          }
        }
      }
      if (heaviest != null && heaviest.used() > 0) {
        top.add(heaviest);
        if (top.size() > n) {
          top.poll();
        }
      }
    }
    List<ClientUsage> out = new ArrayList<>(top);
    out.sort(java.util.Comparator.comparingDouble(ClientUsage::usedShare).reversed());
    return out;
  }

  /** The configured bound on tracked client states. */
  public long maxClients() {
    return maxClients;
  }

  private AcquireResult lockAndDecide(AcquireRequest request, ClientState[] held, Integer[] order, int i) {
    if (i == order.length) {
      for (ClientState s : held) {
        if (s.retired()) {
          return null;
        }
      }
      return decide(request, held);
    }
    synchronized (held[order[i]]) {
      return lockAndDecide(request, held, order, i + 1);
    }
  }

  /** The common case, one bucket with one limit, without the general case's arrays. Runs locked. */
  private AcquireResult decideOne(Bucket bucket, ClientState held, int cost) {
    long now = clock.millis();
    List<Limit> limits = bucket.limits();
    held.conform(limits, now);
    Limit limit = limits.get(0);
    LimitState state = held.state(0);
    state.advance(limit, now);
    boolean admitted = state.available(limit, now) >= cost;
    if (cost > 0 && (admitted || bucket.countRejected())) {
      state.consume(limit, now, cost);
    }
    long reset = state.resetMillis(limit, now);
    long retry = admitted ? 0 : Math.max(Math.max(1, reset), state.retryAfterMillis(limit, now, cost));
    return new AcquireResult(admitted, now, List.of(new LimitUsage(limit, state.available(limit, now), reset, retry)));
  }

  /** Runs with every state of the request locked. */
  private AcquireResult decide(AcquireRequest request, ClientState[] held) {
    long now = clock.millis();
    long cost = request.cost();
    List<Bucket> buckets = request.buckets();
    int total = request.limitCount();
    long[] availableBefore = new long[total];
    boolean admitted = true;
    int n = 0;
    for (int b = 0; b < held.length; b++) {
      List<Limit> limits = buckets.get(b).limits();
      held[b].conform(limits, now);
      for (int l = 0; l < limits.size(); l++, n++) {
        LimitState state = held[b].state(l);
        state.advance(limits.get(l), now);
        availableBefore[n] = state.available(limits.get(l), now);
        if (availableBefore[n] < cost) {
          admitted = false;
        }
      }
    }
    LimitUsage[] usages = new LimitUsage[total];
    n = 0;
    for (int b = 0; b < held.length; b++) {
      Bucket bucket = buckets.get(b);
      List<Limit> limits = bucket.limits();
      boolean consume = cost > 0 && (admitted || bucket.countRejected());
      for (int l = 0; l < limits.size(); l++, n++) {
        Limit limit = limits.get(l);
        LimitState state = held[b].state(l);
        if (consume) {
          state.consume(limit, now, cost);
        }
        boolean rejecting = availableBefore[n] < cost;
        long reset = state.resetMillis(limit, now);
        long retry = rejecting ? Math.max(Math.max(1, reset), state.retryAfterMillis(limit, now, cost)) : 0;
        usages[n] = new LimitUsage(limit, state.available(limit, now), reset, retry);
      }
    }
    return new AcquireResult(admitted, now, List.of(usages));
  }

  private ClientState stateOf(StateKey key, Bucket bucket) {
    ClientState state = states.getIfPresent(key);
    // The lookup above is the hot path; only a new client pays for the capturing lambda.
    return state != null ? state : states.get(key, k -> new ClientState(bucket.limits()));
  }

  /**
   * A client's state under one rule. Not a concatenated string: that would copy the client key and
   * hash it afresh on every decision.
   */
  static final class StateKey implements Comparable<StateKey> {
    final String rule;
    final String client;
    private final int hash;

    StateKey(String rule, String client) {
      this.rule = rule;
      this.client = client;
      this.hash = 31 * rule.hashCode() + client.hashCode();
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      if (this == o) {
        return true;
      }
      if (!(o instanceof StateKey)) {
        return false;
      }
      StateKey k = (StateKey) o;
      return hash == k.hash && rule.equals(k.rule) && client.equals(k.client);
    }

    @Override
    public int compareTo(StateKey o) {
      int c = rule.compareTo(o.rule);
      return c != 0 ? c : client.compareTo(o.client);
    }
  }

  /** Drops a state once it has been idle for its longest window (it would be fresh again). */
  private static final class IdleExpiry implements Expiry<StateKey, ClientState> {
    @Override
    public long expireAfterCreate(StateKey key, ClientState value, long currentTime) {
      return TimeUnit.MILLISECONDS.toNanos(value.idleMillis());
    }

    @Override
    public long expireAfterUpdate(StateKey key, ClientState value, long currentTime, long currentDuration) {
      return TimeUnit.MILLISECONDS.toNanos(value.idleMillis());
    }

    @Override
    public long expireAfterRead(StateKey key, ClientState value, long currentTime, long currentDuration) {
      return TimeUnit.MILLISECONDS.toNanos(value.idleMillis());
    }
  }
}
