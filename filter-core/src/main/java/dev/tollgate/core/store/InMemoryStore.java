package dev.tollgate.core.store;

import dev.tollgate.core.ClientUsage;
import dev.tollgate.core.Clock;
import dev.tollgate.core.Limit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The default store: counts in this JVM's heap. Exact under any number of threads (each client's
 * entry has its own lock, and a request's entries are locked together in a fixed order), and
 * bounded: at most {@code maxClients} client keys are held (each with one state per rule it has
 * used), idle states are dropped once their windows have passed, and when the bound is reached a
 * TinyLFU policy evicts the least valuable entry, so a flood of one-off keys does not push out
 * clients that call regularly.
 *
 * <p>One JVM only: behind a load balancer each server counts on its own. Use the Redis store to
 * share limits across servers.
 */
public final class InMemoryStore implements RateLimitStore {

  /** The default bound on tracked client keys. */
  public static final long DEFAULT_MAX_CLIENTS = 100_000;

  /**
   * The largest bound a store takes: 2^29 (536,870,912) client keys, about 60 GB of heap at the
   * hundred-odd bytes a client with one rule costs, and half the slots its table can have.
   */
  public static final long MAX_CLIENTS = ClientTable.MAX_CLIENTS;

  /** How often idle states are looked for; eviction keeps the bound in between. */
  private static final long SWEEP_INTERVAL_MILLIS = 60_000;

  /** Size-bounded only. Idle states are found by {@link #sweep(long)}. */
  private final ClientTable clients;

  /**
   * The entries of recently seen clients, two-way set-associative by key: a hit skips the table's
   * probe, which is most of a hot client's lookup. A slot may hold an entry the table has dropped:
   * it is retired, seen under its lock, and cleared; until then it stays reachable, so the heap
   * holds at most one such entry per slot beyond the bound. Races between writers only cost a
   * lookup.
   */
  private final ClientEntry[] recent;

  /**
   * The key hash of each recent slot's entry, so that a miss is told without reading the entry and
   * its key (two cache misses on a large store), its lowest bit replaced by {@link #REFERENCED}. A
   * hash and entry written by racing threads may not match: the key comparison after a hash match
   * decides.
   */
  private final int[] recentHashes;

  /**
   * The bit of a {@link #recentHashes} value set when its entry is found there. A client that
   * misses its set takes an empty slot without touching the marks, else the first slot without the
   * mark, clearing the mark of each slot it passes over: a slot changes hands only if its entry was
   * not found there since the last miss (a second chance, as in the CLOCK policy), so that keys
   * seen once, or in turn with busier keys, do not push the busier ones out.
   */
  private static final int REFERENCED = 1;

  /** Slots per set of {@link #recent}: a pair, read together (adjacent, so one cache line each). */
  private static final int RECENT_WAYS = 2;

  private final int recentMask;
  private final Clock clock;
  private final long maxClients;
  private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);

  private InMemoryStore(long maxClients, Clock clock) {
    this.clock = clock;
    this.maxClients = maxClients;
    this.recent = new ClientEntry[recentSlots(maxClients)];
    this.recentHashes = new int[recent.length];
    this.recentMask = recent.length - 1;
    // An entry is retired under its lock before the table drops it: a request that still holds it
    // (or finds it in a recent slot) sees that once it gets the lock, and looks the client up
    // again, so one client never has two live entries (which could admit more than the quota).
    this.clients = new ClientTable(maxClients);
  }

  /** A store holding at most {@value #DEFAULT_MAX_CLIENTS} client keys, on the system clock. */
  public static InMemoryStore create() {
    return create(DEFAULT_MAX_CLIENTS, Clock.system());
  }

  /**
   * A store holding at most {@code maxClients} client keys.
   *
   * @throws IllegalArgumentException if {@code maxClients} is below 1 or above {@link #MAX_CLIENTS}
   */
  public static InMemoryStore create(long maxClients, Clock clock) {
    Objects.requireNonNull(clock, "clock");
    if (maxClients < 1 || maxClients > MAX_CLIENTS) {
      throw new IllegalArgumentException(
          "maxClients must be from 1 to " + MAX_CLIENTS + " but was " + maxClients);
    }
    return new InMemoryStore(maxClients, clock);
  }

  @Override
  public AcquireResult acquire(AcquireRequest request) {
    List<Bucket> buckets = request.buckets();
    BucketSpec[] specs = new BucketSpec[buckets.size()];
    String[] keys = new String[specs.length];
    for (int i = 0; i < specs.length; i++) {
      Bucket b = buckets.get(i);
      specs[i] = new BucketSpec(b.rule(), b.limits(), b.countRejected(), b.requestsAfterResponse());
      keys[i] = b.client();
    }
    long[] usage = new long[usageLength(specs)];
    boolean admitted = acquire(specs, keys, request.cost(), usage);
    List<LimitUsage> usages = new ArrayList<>(request.limitCount());
    int n = 0;
    for (BucketSpec spec : specs) {
      for (Limit limit : spec.limits) {
        usages.add(new LimitUsage(limit, usage[1 + 3 * n], usage[2 + 3 * n], usage[3 + 3 * n]));
        n++;
      }
    }
    return new AcquireResult(admitted, usage[0], usages);
  }

  /**
   * The length of the {@code usage} array {@link #acquire(BucketSpec[], String[], int, long[])}
   * fills.
   */
  public static int usageLength(BucketSpec[] specs) {
    int n = 0;
    for (BucketSpec s : specs) {
      n += s.limits.size();
    }
    return 1 + 3 * n;
  }

  /**
   * Decides a request without building request or result objects: the engine's path. Every limit of
   * every bucket {@code specs[i]} of client {@code clients[i]} is checked and, only if all admit,
   * consumed, atomically.
   *
   * @param cost quota units taken from every limit; zero only reports
   * @param usage receives the clock at {@code [0]}, then for each limit in order its remaining
   *     units, reset and retry-after milliseconds (as in {@link LimitUsage}) at {@code [1 + 3i]},
   *     {@code [2 + 3i]}, {@code [3 + 3i]}; at least {@link #usageLength} long
   * @return true if the request was admitted
   */
  public boolean acquire(BucketSpec[] specs, String[] clients, int cost, long[] usage) {
    if (specs.length == 1 || allSame(clients)) {
      String client = clients[0];
      while (true) {
        ClientEntry entry = recentEntry(client);
        boolean inRecentSlot = entry != null;
        if (entry == null) {
          entry = tableEntry(client);
        }
        if (rejectedWithoutTheLock(specs, entry, cost, usage)) {
          if (!inRecentSlot) {
            this.clients.recordAccess(entry); // as a decision under the lock would have
          }
          return false;
        }
        boolean admitted = false;
        boolean record = false;
        boolean retired;
        entry.lock();
        try {
          retired = entry.retired();
          if (!retired) {
            admitted = decide(specs, entry, null, cost, usage);
            record = entry.readToRecord(usage[0], inRecentSlot);
          }
        } finally {
          entry.unlock(!admitted);
        }
        if (retired) {
          dropRetired(entry);
          continue;
        }
        if (record) {
          this.clients.recordAccess(entry);
        }
        return admitted;
      }
    }
    for (int attempt = 1; ; attempt++) {
      ClientEntry[] entries = new ClientEntry[specs.length];
      for (int i = 0; i < entries.length; i++) {
        // Through the table: a request of several clients is rare enough not to need the shortcut.
        entries[i] = tableEntry(clients[i]);
      }
      ClientEntry[] order = ClientEntry.distinctInLockOrder(entries);
      boolean admitted = false;
      boolean retired;
      boolean[] record = new boolean[order.length];
      for (ClientEntry e : order) {
        e.lock();
      }
      try {
        retired = !ClientEntry.noneRetired(order) && attempt < MAX_ATTEMPTS;
        if (!retired) {
          admitted = decide(specs, null, entries, cost, usage);
          for (int i = 0; i < order.length; i++) {
            record[i] = order[i].readToRecord(usage[0], false);
          }
        }
      } finally {
        for (ClientEntry e : order) {
          e.unlock();
        }
      }
      for (int i = 0; i < order.length; i++) {
        if (retired) {
          dropRetired(order[i]);
        } else if (record[i]) {
          this.clients.recordAccess(order[i]);
        }
      }
      if (!retired) {
        return admitted;
      }
    }
  }

  /**
   * How often a request of several clients looks its entries up again when one was dropped
   * meanwhile. Only a bound smaller than a request's new clients plus the clients coming in at the
   * same moment makes that go on; after this many attempts the request is decided on the entries it
   * holds, dropped ones included (their counts are then those of a client the store no longer
   * tracks, as after any eviction).
   */
  private static final int MAX_ATTEMPTS = 100;

  /**
   * After finding {@code entry} retired (and unlocking it): clears its recent slot, and removes it
   * from the table if whoever retired it has not yet, so that the next look-up creates the new
   * entry instead of finding this one again. Idempotent; never called holding an entry's lock.
   */
  private void dropRetired(ClientEntry entry) {
    if (entry.retiredVolatile()) {
      forget(entry);
      clients.remove(entry);
    }
  }

  /**
   * Rejects a client that is over its quota by reading its states, without taking its lock: on a
   * flooding client every thread then only reads, and the entry's cache line stays shared instead
   * of moving between cores on every rejection. Tried only when the client's last decision
   * rejected; taken only when the lock would have decided the same and written nothing.
   */
  private boolean rejectedWithoutTheLock(
      BucketSpec[] specs, ClientEntry entry, int cost, long[] usage) {
    int stamp = entry.stampIfRejecting();
    if (stamp == -1) {
      return false;
    }
    long now = clock.millis();
    if (entry.recordedAt(now)
        && StatePasses.rejectsAsIs(specs, entry, cost, usage, now)
        && entry.unchangedSince(stamp)) {
      usage[0] = now;
      maybeSweep(now);
      return true;
    }
    return false;
  }

  private static boolean allSame(String[] clients) {
    for (int i = 1; i < clients.length; i++) {
      if (!clients[i].equals(clients[0])) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs with every entry locked. Checks every limit first, then consumes from all or none.
   *
   * @param single the one entry of every spec, or null to use {@code entries}
   * @param entries the entry of each spec, when they differ
   */
  private boolean decide(
      BucketSpec[] specs,
      @Nullable ClientEntry single,
      ClientEntry @Nullable [] entries,
      int cost,
      long[] usage) {
    long now = clock.millis();
    usage[0] = now;
    boolean admitted = StatePasses.check(specs, single, entries, cost, usage, now);
    StatePasses.settle(specs, single, entries, cost, usage, now, admitted);
    maybeSweep(now);
    return admitted;
  }

  /**
   * Charges what a request cost once its response is complete: {@code amounts[n]} units to the
   * {@code n}th limit over all {@code specs} (in the order of {@link #acquire}'s usage), which may
   * take a limit beyond its quota (the client then waits until it has refilled); a negative amount
   * refunds units the request took on admission at {@code admittedAt}; zero leaves the limit alone.
   */
  public void charge(BucketSpec[] specs, String[] clients, long[] amounts, long admittedAt) {
    for (int attempt = 1; ; attempt++) {
      ClientEntry[] entries = new ClientEntry[specs.length];
      for (int i = 0; i < entries.length; i++) {
        entries[i] =
            i > 0 && clients[i].equals(clients[i - 1]) ? entries[i - 1] : tableEntry(clients[i]);
      }
      ClientEntry[] order = ClientEntry.distinctInLockOrder(entries);
      for (ClientEntry e : order) {
        e.lock();
      }
      boolean charged = false;
      try {
        if (ClientEntry.noneRetired(order) || attempt >= MAX_ATTEMPTS) {
          StatePasses.charge(specs, entries, amounts, admittedAt, clock.millis());
          charged = true;
        }
      } finally {
        for (ClientEntry e : order) {
          e.unlock();
        }
      }
      if (charged) {
        return;
      }
      for (ClientEntry e : order) {
        dropRetired(e);
      }
    }
  }

  @Override
  public boolean charges() {
    return true;
  }

  /**
   * {@link #charge(BucketSpec[], String[], long[], long)} for a request in the store interface's
   * terms.
   */
  @Override
  public CompletionStage<Void> charge(ChargeRequest request) {
    List<Bucket> buckets = request.buckets();
    BucketSpec[] specs = new BucketSpec[buckets.size()];
    String[] keys = new String[specs.length];
    for (int i = 0; i < specs.length; i++) {
      Bucket b = buckets.get(i);
      specs[i] = new BucketSpec(b.rule(), b.limits(), b.countRejected(), b.requestsAfterResponse());
      keys[i] = b.client();
    }
    charge(specs, keys, request.amounts(), request.admittedAtMillis());
    return ChargeRequest.DONE;
  }

  /**
   * The recent entry of {@code client}, or null. It may be retired: the caller checks under its
   * lock and then {@link #forget}s it.
   */
  private @Nullable ClientEntry recentEntry(String client) {
    return recentEntry(client, true);
  }

  /**
   * The entry in a slot of {@code client}'s recent set, or null; with {@code mark}, the slot is
   * marked as found since the last miss.
   */
  private @Nullable ClientEntry recentEntry(String client, boolean mark) {
    int hash = client.hashCode();
    int first = recentSet(hash);
    for (int slot = first; slot < first + RECENT_WAYS; slot++) {
      int held = recentHashes[slot];
      if ((held | REFERENCED) == (hash | REFERENCED)) {
        ClientEntry entry = recent[slot];
        if (entry != null && entry.client.equals(client)) {
          if (mark && (held & REFERENCED) == 0) {
            recentHashes[slot] = held | REFERENCED; // written once, not on every hit of a hot key
          }
          return entry;
        }
      }
    }
    return null;
  }

  /**
   * The table's entry of {@code client}, created if needed. It takes an empty slot of its set, else
   * the first whose entry was not found there since the last miss; the slots passed over lose that
   * mark (a second chance, as the CLOCK policy gives), and if every slot had it, none is taken.
   */
  private ClientEntry tableEntry(String client) {
    ClientEntry entry = clients.get(client);
    int hash = client.hashCode();
    int first = recentSet(hash);
    int taken = -1;
    for (int slot = first; slot < first + RECENT_WAYS; slot++) {
      ClientEntry held = recent[slot];
      if (held == entry) {
        // Already there (a charge, or several clients, look every entry up here): a copy in another
        // slot would push out the client there.
        return entry;
      }
      if (held == null && taken < 0) {
        taken = slot;
      }
    }
    for (int slot = first; slot < first + RECENT_WAYS && taken < 0; slot++) {
      int held = recentHashes[slot];
      if ((held & REFERENCED) == 0) {
        taken = slot;
      } else {
        recentHashes[slot] = held & ~REFERENCED;
      }
    }
    if (taken >= 0) {
      recentHashes[taken] = hash & ~REFERENCED;
      recent[taken] = entry;
    }
    return entry;
  }

  /**
   * Whether a request would find {@code client}'s entry in its recent set now (the entry and the
   * key's hash in one slot). For tests.
   */
  boolean isRecent(String client) {
    return recentEntry(client, false) != null;
  }

  /** The first slot of {@code client}'s recent set. For tests. */
  int recentSetOf(String client) {
    return recentSet(client.hashCode());
  }

  /** Clears the recent slots that still hold {@code entry} (the entry was retired). */
  private void forget(ClientEntry entry) {
    int first = recentSet(entry.client.hashCode());
    for (int slot = first; slot < first + RECENT_WAYS; slot++) {
      if (recent[slot] == entry) {
        recent[slot] = null; // racing misses may have put it in both
      }
    }
  }

  /** The first of the {@link #RECENT_WAYS} adjacent slots (one cache line) of {@code hash}. */
  private int recentSet(int hash) {
    int h = hash * 0x9E3779B9; // String.hashCode is weak in its low bits
    return (h ^ (h >>> 16)) & recentMask & -RECENT_WAYS;
  }

  /**
   * A quarter of the bound rounded up to a power of two, from 64 to 32,768 slots (256 KB of
   * compressed references and hashes at most, about 2.6 bytes per client of the default bound) in
   * sets of {@link #RECENT_WAYS}: with 10,000 clients in turn, 16,384 slots mapped directly found
   * 55% of requests' entries there (the rest paid the table's SipHash and probe); 32,768 in pairs
   * find 92%.
   */
  static int recentSlots(long maxClients) {
    long wanted = Math.max(64, Math.min(32_768, maxClients / 4));
    int slots = Integer.highestOneBit((int) wanted);
    return slots < wanted ? slots << 1 : slots;
  }

  /**
   * Starts a sweep for idle states in the background at most once a {@link #SWEEP_INTERVAL_MILLIS}.
   */
  private void maybeSweep(long now) {
    long next = nextSweep.get();
    if (now < next) {
      return;
    }
    if (next == Long.MIN_VALUE) {
      nextSweep.compareAndSet(
          next, now + SWEEP_INTERVAL_MILLIS); // the first decision: nothing is idle yet
    } else if (nextSweep.compareAndSet(next, now + SWEEP_INTERVAL_MILLIS)) {
      ForkJoinPool.commonPool().execute(() -> sweep(clock.millis()));
    }
  }

  /**
   * Drops every state idle for its longest window, and every entry left without states. An entry is
   * retired under its lock before it is removed, so a request holding it looks the client up again.
   */
  private void sweep(long now) {
    for (ClientEntry entry : clients.entries()) {
      boolean empty;
      entry.lock();
      try {
        empty = !entry.retired() && entry.dropIdle(now);
        if (empty) {
          entry.retire();
        }
      } finally {
        entry.unlock();
      }
      if (empty) {
        clients.remove(entry);
      }
    }
  }

  /**
   * The number of client states held now: one per client key and rule (the keys are at most the
   * bound).
   */
  public long trackedClients() {
    sweep(clock.millis());
    long states = 0;
    for (ClientEntry entry : clients.entries()) {
      entry.lock();
      try {
        states += entry.retired() ? 0 : entry.size();
      } finally {
        entry.unlock();
      }
    }
    return states;
  }

  /**
   * The {@code n} client states with the largest used share of any of their limits, largest first.
   * Walks every tracked state: meant for an operator's occasional look, not the request path.
   */
  public List<ClientUsage> heaviestClients(int n) {
    long now = clock.millis();
    PriorityQueue<ClientUsage> top =
        new PriorityQueue<>(Comparator.comparingDouble(ClientUsage::usedShare));
    for (ClientEntry entry : clients.entries()) {
      List<ClientUsage> heaviest = new ArrayList<>(1);
      entry.lock();
      try {
        for (int r = 0; r < entry.size(); r++) {
          ClientUsage u = entry.at(r).heaviest(entry.client, now);
          if (u != null) {
            heaviest.add(u);
          }
        }
      } finally {
        entry.unlock();
      }
      for (ClientUsage u : heaviest) {
        top.add(u);
        if (top.size() > n) {
          top.poll();
        }
      }
    }
    List<ClientUsage> out = new ArrayList<>(top);
    out.sort(Comparator.comparingDouble(ClientUsage::usedShare).reversed());
    return out;
  }

  /** The configured bound on tracked client keys. */
  public long maxClients() {
    return maxClients;
  }
}
