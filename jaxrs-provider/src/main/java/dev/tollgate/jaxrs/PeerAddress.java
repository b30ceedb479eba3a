package dev.tollgate.jaxrs;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.glassfish.jersey.internal.inject.InjectionManager;
import org.glassfish.jersey.internal.util.collection.Ref;

/**
 * The direct peer's address, which JAX-RS does not expose: read from the container's own request
 * object through Jersey's injection manager. Supported: a servlet container
 * ({@code HttpServletRequest}) and Grizzly ({@code org.glassfish.grizzly.http.server.Request}); the
 * classes are looked up by name so that neither is needed at run time. Elsewhere the address is
 * {@code null}, and core treats clients that only an IP address could identify as one anonymous
 * client.
 */
final class PeerAddress {

  private static final System.Logger LOG = System.getLogger(PeerAddress.class.getName());
  private static final String[] REQUEST_TYPES = {
      "jakarta.servlet.http.HttpServletRequest", "org.glassfish.grizzly.http.server.Request"};

  private final InjectionManager injection;
  private final List<Source> sources = new ArrayList<>();
  /** The source that answered last; tried first. */
  private volatile Source preferred;
  private volatile boolean warned;

  PeerAddress(InjectionManager injection, ClassLoader loader) {
    this.injection = injection;
    for (String name : REQUEST_TYPES) {
      try {
        Class<?> type = Class.forName(name, false, loader);
        MethodHandle getRemoteAddr = MethodHandles.publicLookup()
            .findVirtual(type, "getRemoteAddr", MethodType.methodType(String.class));
        sources.add(new Source(type, getRemoteAddr));
      } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException | LinkageError e) {
        // not this runtime
      }
    }
  }

  /** The peer address of the request being processed on this thread, or {@code null}. */
  String current() {
    if (injection == null) {
      return null;
    }
    Source p = preferred;
    if (p != null) {
      String address = p.read(injection);
      if (address != null) {
        return address;
      }
    }
    for (Source s : sources) {
      if (s != p) {
        String address = s.read(injection);
        if (address != null) {
          preferred = s;
          return address;
        }
      }
    }
    if (!warned) {
      warned = true;
      LOG.log(System.Logger.Level.WARNING, "Tollgate cannot read the client's IP address on this JAX-RS runtime"
          + " (supported: servlet containers and Grizzly); clients identified only by 'ip' share one anonymous quota");
    }
    return null;
  }

  /**
   * One container's request type. The request is read through the container's
   * {@code Ref<Request>} binding, which holds the request itself: asking for the request type
   * directly returns a dynamic proxy on servlet containers, and creating that proxy fails when
   * the container's class loader can see another copy of HK2 than the application's.
   */
  private record Source(Class<?> type, MethodHandle getRemoteAddr, Type refType) {
    Source(Class<?> type, MethodHandle getRemoteAddr) {
      this(type, getRemoteAddr, new RefType(type));
    }

    String read(InjectionManager injection) {
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
    public Type getOwnerType() {
      return null;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ParameterizedType p && p.getRawType() == Ref.class && p.getOwnerType() == null
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
