package dev.tollgate.jaxrs;

import jakarta.ws.rs.core.FeatureContext;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;
import org.glassfish.jersey.InjectionManagerProvider;
import org.glassfish.jersey.internal.inject.InjectionManager;
import org.glassfish.jersey.internal.util.collection.Ref;
import org.glassfish.jersey.server.spi.Container;
import org.glassfish.jersey.server.spi.ContainerLifecycleListener;
import org.jspecify.annotations.Nullable;

/**
 * What the provider does beyond Jakarta REST when the application runs on Jersey: read the peer
 * address from Jersey's container request (servlet and Grizzly) and close the engine the feature
 * created when the application stops. Jersey is an optional dependency: this class is the only one
 * that names Jersey's types, and {@link TollgateFeature} loads it only after checking, without
 * loading it, that they are there (loading this class could load them).
 */
final class JerseyExtras {

  private static final System.Logger LOG = System.getLogger(JerseyExtras.class.getName());
  private static final String[] REQUEST_TYPES = {
    "jakarta.servlet.http.HttpServletRequest", "org.glassfish.grizzly.http.server.Request"
  };

  private JerseyExtras() {}

  /**
   * Jersey's peer-address source if {@code context} is Jersey's, else {@code null} (another runtime
   * with Jersey's jars on the class path, say a client).
   */
  static PeerAddress.@Nullable Source peerAddress(FeatureContext context, ClassLoader loader) {
    InjectionManager injection;
    try {
      injection = InjectionManagerProvider.getInjectionManager(context);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "not a Jersey application: " + e);
      return null;
    }
    if (injection == null) {
      return null;
    }
    RequestSource[] sources =
        Arrays.stream(REQUEST_TYPES)
            .map(name -> RequestSource.of(name, loader))
            .filter(s -> s != null)
            .toArray(RequestSource[]::new);
    return request -> {
      for (RequestSource s : sources) {
        String address = s.read(injection);
        if (address != null) {
          return address;
        }
      }
      return null;
    };
  }

  /** Runs {@code onShutdown} when Jersey stops the application. */
  static void onShutdown(FeatureContext context, Runnable onShutdown) {
    context.register(
        new ContainerLifecycleListener() {
          @Override
          public void onStartup(Container container) {}

          @Override
          public void onReload(Container container) {}

          @Override
          public void onShutdown(Container container) {
            onShutdown.run();
          }
        });
  }

  /**
   * One container's request type. The request is read through the container's {@code Ref<Request>}
   * binding, which holds the request itself: asking for the request type directly returns a dynamic
   * proxy on servlet containers, and creating that proxy fails when the container's class loader
   * can see another copy of HK2 than the application's.
   */
  private record RequestSource(Class<?> type, MethodHandle getRemoteAddr, Type refType) {

    static @Nullable RequestSource of(String name, ClassLoader loader) {
      try {
        Class<?> type = Class.forName(name, false, loader);
        MethodHandle getRemoteAddr =
            MethodHandles.publicLookup()
                .findVirtual(type, "getRemoteAddr", MethodType.methodType(String.class));
        return new RequestSource(type, getRemoteAddr, new RefType(type));
      } catch (ClassNotFoundException
          | NoSuchMethodException
          | IllegalAccessException
          | LinkageError e) {
        return null; // not this container
      }
    }

    @Nullable String read(InjectionManager injection) {
      Object request = null;
      try {
        Ref<?> ref = injection.getInstance(refType);
        request = ref == null ? null : ref.get();
      } catch (RuntimeException | LinkageError e) {
        // no Ref binding for this type here
      }
      try {
        if (request == null) {
          request = injection.getInstance(type);
        }
        return request == null ? null : (String) getRemoteAddr.invoke(request);
      } catch (Throwable e) {
        if (e instanceof Error && !(e instanceof LinkageError)) {
          throw (Error) e;
        }
        return null; // not bound here, or outside a request
      }
    }
  }

  /** {@code Ref<T>} for a type known only at run time. */
  private record RefType(Type argument) implements ParameterizedType {
    @Override
    public Type[] getActualTypeArguments() {
      return new Type[] {argument};
    }

    @Override
    public Type getRawType() {
      return Ref.class;
    }

    @Override
    public @Nullable Type getOwnerType() {
      return null;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ParameterizedType p
          && p.getRawType() == Ref.class
          && p.getOwnerType() == null
          && Arrays.equals(p.getActualTypeArguments(), getActualTypeArguments());
    }

    @Override
    public int hashCode() {
      // as the JDK's own ParameterizedType, so that both hash alike
      return Arrays.hashCode(getActualTypeArguments()) ^ Ref.class.hashCode();
    }

    @Override
    public String toString() {
      return Ref.class.getName() + "<" + argument.getTypeName() + ">";
    }
  }
}
