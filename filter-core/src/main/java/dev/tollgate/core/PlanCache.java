package dev.tollgate.core;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tollgate.core.internal.RecentCache;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A {@link PlanResolver} behind a bounded cache: at most {@code maxEntries} clients, each answer
 * kept for {@code ttl} and refreshed in the background once older than {@code refresh} (the cached
 * plan is served meanwhile). A request waits for a client's first answer at most {@code timeout}; a
 * resolver that throws, or has not answered by then, gives the request the fallback plan. A failed
 * answer is remembered for {@link #FAILURE_BACKOFF_MILLIS} so a broken database is not asked on
 * every request; a failed refresh keeps the plan already known until it expires.
 */
final class PlanCache {

  /** How long a failure is remembered before the resolver is asked again. */
  static final long FAILURE_BACKOFF_MILLIS = 5_000;

  /** What {@link #lookup} returns when the resolver failed or was too slow. */
  static final String FAILED = new String("<failed>");

  static final String TIMED_OUT = new String("<timed out>");

  /** The resolver's answer when it does not know the client. */
  static final String UNKNOWN = "";

  /**
   * How long at most a client's answer is served from {@link #recent} before Caffeine is read
   * again: Caffeine's read is what starts a refresh and what tells its eviction that the client is
   * in use (not how much: a busy client reads it about once a second).
   */
  static final long RECENT_MILLIS = 1_000;

  /**
   * What {@link #read} returns when the first answer took longer than the timeout; failed too, so
   * tell it by identity first.
   */
  private static final Answer TIMED_OUT_ANSWER = new Answer(UNKNOWN, true, 0);

  /** One answer: the plan name (or {@link #UNKNOWN}), or a failure; and when it was loaded. */
  private static final class Answer {
    final String plan;
    final boolean failed;
    final long loadedAt;

    Answer(String plan, boolean failed, long loadedAt) {
      this.plan = plan;
      this.failed = failed;
      this.loadedAt = loadedAt;
    }
  }

  private final PlanResolver resolver;
  private final Plans.CacheSettings settings;
  private final Clock clock;
  private final Executor loads;
  private final AsyncLoadingCache<String, Answer> cache;

  /**
   * The answers read last, in front of Caffeine: its read (hash map, expiry and refresh checks,
   * read buffer, two clock reads) cost a request with plans more than the rest of the plan look-up.
   * Only fresh answers, each for at most {@link #RECENT_MILLIS} and never past its refresh age.
   */
  private final RecentCache<String> recent;

  private final long refreshMillis;

  /**
   * Raised by {@link #invalidateAll} once Caffeine is emptied: an answer put into {@link #recent}
   * under an earlier generation is never served (nor one a racing put wrote after the clear).
   */
  private volatile int generation;

  /**
   * A client's plan name served from {@link #recent} until {@code until} (clock millis), in its
   * {@code generation} only. The entry itself, so that a look-up loads one object (with 10,000
   * clients in turn, a record behind the entry cost a request a further cache miss).
   */
  private static final class Recent extends RecentCache.Entry<String> {
    final long until;
    final int generation;

    Recent(String client, String plan, long until, int generation) {
      super(client.hashCode(), client, plan);
      this.until = until;
      this.generation = generation;
    }
  }

  /** The threads this cache started, or null when they were given. */
  private @Nullable Pool pool;

  /**
   * A cache asking {@code resolver} on {@code loads}. Caffeine's own upkeep (draining its read
   * buffer, evicting) runs on whichever thread triggers it, never queued to {@code loads}: queued
   * there, it woke a thread about every fifteen reads, which cost more than the reads themselves.
   */
  PlanCache(PlanResolver resolver, Plans.CacheSettings settings, Clock clock, Executor loads) {
    this.resolver = resolver;
    this.settings = settings;
    this.clock = clock;
    this.loads = loads;
    this.refreshMillis = settings.refresh().toMillis();
    // At least a set (four slots) per cached client, a power of two, at most 16,384 sets (256 KB of
    // slots, a few MB with the entries when full).
    int sets = (int) Math.min(settings.maxEntries(), 16_384);
    this.recent = new RecentCache<>(Integer.highestOneBit(sets * 2 - 1));
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(settings.maxEntries())
            .ticker(() -> clock.millis() * 1_000_000L)
            .executor(Runnable::run)
            .refreshAfterWrite(settings.refresh())
            .expireAfter(new Lifetime(clock, settings.ttl().toNanos()))
            .buildAsync(new Loader());
  }

  /**
   * An answer lives for the ttl, a failure for {@link #FAILURE_BACKOFF_MILLIS}, both counted from
   * when it was loaded; reading it does not extend it.
   */
  private static final class Lifetime implements Expiry<String, Answer> {
    private final Clock clock;
    private final long ttlNanos;

    Lifetime(Clock clock, long ttlNanos) {
      this.clock = clock;
      this.ttlNanos = ttlNanos;
    }

    @Override
    public long expireAfterCreate(String key, Answer a, long currentTime) {
      return lifetime(a);
    }

    @Override
    public long expireAfterUpdate(String key, Answer a, long currentTime, long currentDuration) {
      return lifetime(a);
    }

    @Override
    public long expireAfterRead(String key, Answer a, long currentTime, long currentDuration) {
      return currentDuration;
    }

    private long lifetime(Answer a) {
      long age = Math.max(0, clock.millis() - a.loadedAt) * 1_000_000L;
      return Math.max(0, (a.failed ? FAILURE_BACKOFF_MILLIS * 1_000_000L : ttlNanos) - age);
    }
  }

  /** Asks the resolver on {@code loads}, not on Caffeine's executor. */
  private final class Loader implements AsyncCacheLoader<String, Answer> {
    @Override
    public CompletableFuture<Answer> asyncLoad(String key, Executor upkeep) {
      return CompletableFuture.supplyAsync(() -> load(key), loads);
    }

    @Override
    public CompletableFuture<Answer> asyncReload(String key, Answer old, Executor upkeep) {
      return CompletableFuture.supplyAsync(
          () -> {
            Answer fresh = load(key);
            // A failed refresh keeps what was known, and expires when it would have.
            return fresh.failed && !old.failed ? old : fresh;
          },
          loads);
    }
  }

  /**
   * A cache asking on its own small pool of daemon threads, which end when idle or when the engine
   * closes.
   */
  static PlanCache create(PlanResolver resolver, Plans.CacheSettings settings, Clock clock) {
    Pool pool = new Pool(Thread.currentThread().getContextClassLoader());
    PlanCache cache = new PlanCache(resolver, settings, clock, pool);
    cache.pool = pool;
    return cache;
  }

  /**
   * Stops the pool's threads now rather than when idle: a container that undeploys the application
   * finds none left (they would hold its class loader). A later look-up starts new ones, for a
   * configuration shared by another engine.
   */
  void close() {
    Pool p = pool;
    if (p != null) {
      p.close();
      // A load still queued was dropped and its future will never complete (nor expire: Caffeine
      // never expires a load in flight): forget it, so that a later look-up asks again.
      cache.asMap().values().removeIf(f -> !f.isDone());
    }
  }

  /** Two daemon threads, started at the first task and again after {@link #close()}. */
  private static final class Pool implements Executor {
    private final AtomicInteger started = new AtomicInteger();
    // The configuration's class loader: in a container, java:comp/env (JNDI) is found through it.
    private final @Nullable ClassLoader loader;
    private @Nullable ThreadPoolExecutor threads;

    Pool(@Nullable ClassLoader loader) {
      this.loader = loader;
    }

    @Override
    public synchronized void execute(Runnable task) {
      ThreadPoolExecutor t = threads;
      if (t == null) {
        t =
            new ThreadPoolExecutor(
                2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000), this::thread);
        t.allowCoreThreadTimeOut(true);
        threads = t;
      }
      t.execute(task);
    }

    private Thread thread(Runnable r) {
      Thread t = new Thread(r, "tollgate-plans-" + started.incrementAndGet());
      t.setDaemon(true);
      t.setContextClassLoader(loader);
      return t;
    }

    synchronized void close() {
      ThreadPoolExecutor t = threads;
      if (t != null) {
        threads = null;
        t.shutdownNow();
      }
    }
  }

  private Answer load(String client) {
    long now = clock.millis();
    try {
      String plan = resolver.planOf(client);
      return new Answer(plan == null || plan.isBlank() ? UNKNOWN : plan.trim(), false, now);
    } catch (Exception | LinkageError e) {
      lastFailure = e;
      return new Answer(UNKNOWN, true, now);
    }
  }

  /** The last failure of the resolver, for the log. */
  volatile @Nullable Throwable lastFailure;

  /**
   * The plan name the resolver gave {@code client}, {@link #UNKNOWN} if none, or {@link #FAILED} or
   * {@link #TIMED_OUT}. A busy client's answer comes from {@link #recent}, with no Caffeine read,
   * for up to a second at a time; allocates nothing then, and one small object once a second.
   */
  String lookup(String client) {
    long now = clock.millis();
    int current = generation;
    // A clock set back leaves an entry further ahead than RECENT_MILLIS: not served.
    if (recent.entry(client.hashCode(), client) instanceof Recent r
        && now < r.until
        && r.until - now <= RECENT_MILLIS
        && r.generation == current) {
      return r.value();
    }
    Answer a = read(client);
    if (a == TIMED_OUT_ANSWER) {
      return TIMED_OUT;
    }
    if (a == null || a.failed) {
      return FAILED;
    }
    long until = Math.min(now + RECENT_MILLIS, a.loadedAt + refreshMillis);
    if (now < until) {
      recent.put(new Recent(client, a.plan, until, current));
    }
    return a.plan;
  }

  /**
   * The client's answer through Caffeine; {@link #TIMED_OUT_ANSWER}; or a failed answer or null
   * when the resolver or the cache failed.
   */
  private @Nullable Answer read(String client) {
    CompletableFuture<Answer> f;
    try {
      f = cache.getIfPresent(client);
      if (f == null) {
        f = cache.get(client);
      }
    } catch (RuntimeException e) { // e.g. the pool's queue is full
      lastFailure = e;
      return null;
    }
    if (f.isDone()) {
      return f.isCompletedExceptionally() ? null : f.getNow(null);
    }
    try {
      return f.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return TIMED_OUT_ANSWER;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return TIMED_OUT_ANSWER;
    } catch (ExecutionException e) {
      lastFailure = e.getCause();
      return null;
    }
  }

  /** Forgets every answer (for tests and reloads). */
  void invalidateAll() {
    cache.synchronous().invalidateAll();
    // After Caffeine is emptied: a look-up that reads the new generation reads an empty Caffeine.
    // Only this method writes it; a lost increment of two racing calls is harmless.
    generation++;
    recent.clear(); // frees the memory; the generation is what makes forgetting exact
  }

  /** The number of clients held; maintenance is run first. */
  long size() {
    cache.synchronous().cleanUp();
    return cache.synchronous().estimatedSize();
  }

  @Override
  public String toString() {
    return resolver + " cached";
  }
}
