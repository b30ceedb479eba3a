package dev.tollgate.core.adapter;

import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * The resources of a web application ({@code /WEB-INF/...}), as the adapter's container offers
 * them; {@link #NONE} where there is no web application.
 */
public interface WebResources {

  /** No web application: a location starting with {@code /} is a file path only. */
  WebResources NONE =
      new WebResources() {
        @Override
        public @Nullable InputStream open(String path) {
          return null;
        }

        @Override
        public @Nullable String realPath(String path) {
          return null;
        }
      };

  /** The resource at {@code path}, or {@code null} if the application has none there. */
  @Nullable InputStream open(String path);

  /**
   * The resource's path on disk if the application is unpacked; {@code null} otherwise (for example
   * inside a packed WAR).
   */
  @Nullable String realPath(String path);
}
