package dev.tollgate.core.adapter;

/**
 * The class loader Tollgate finds named classes and resources with: the thread's context class
 * loader (in a servlet container, the web application's), else the loader of Tollgate's own
 * classes.
 */
public final class ClassLoaders {

  private ClassLoaders() {}

  /**
   * The current thread's context class loader, or {@code owner}'s loader when the thread has none.
   */
  public static ClassLoader contextOr(Class<?> owner) {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : owner.getClassLoader();
  }
}
