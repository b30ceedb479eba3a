package dev.tollgate.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Counts the response body bytes the application writes, through {@code getOutputStream()} or
 * {@code getWriter()} (characters are counted in the response's character encoding), for limits in
 * bytes. Bytes the container adds or removes (error pages, compression, chunk framing) are not
 * counted. Used only for requests under such limits.
 */
final class ByteCountingResponse extends HttpServletResponseWrapper {

  private final AtomicLong bytes = new AtomicLong();
  private @Nullable ServletOutputStream stream;
  private @Nullable PrintWriter writer;

  ByteCountingResponse(HttpServletResponse response) {
    super(response);
  }

  /** The body bytes written so far. */
  long bytes() {
    return bytes.get();
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    ServletOutputStream s = stream;
    if (s == null) {
      s = new CountingStream(super.getOutputStream(), bytes);
      stream = s;
    }
    return s;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    PrintWriter w = writer;
    if (w == null) {
      // The container's own writer keeps its encoding rules and Content-Type handling.
      PrintWriter container = super.getWriter();
      w =
          new PrintWriter(
              new CountingWriter(container, charset(getCharacterEncoding()), bytes), false);
      writer = w;
    }
    return w;
  }

  private static Charset charset(String name) {
    try {
      return name == null ? StandardCharsets.ISO_8859_1 : Charset.forName(name);
    } catch (RuntimeException e) {
      return StandardCharsets.UTF_8;
    }
  }

  private static final class CountingStream extends ServletOutputStream {
    private final ServletOutputStream out;
    private final AtomicLong bytes;

    CountingStream(ServletOutputStream out, AtomicLong bytes) {
      this.out = out;
      this.bytes = bytes;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      bytes.incrementAndGet();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      bytes.addAndGet(len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }

    @Override
    public boolean isReady() {
      return out.isReady();
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      out.setWriteListener(listener);
    }
  }

  /**
   * Counts what it passes on in bytes of the charset: exactly for UTF-8 and single-byte charsets.
   */
  private static final class CountingWriter extends Writer {
    private final PrintWriter out;
    private final AtomicLong bytes;
    private final boolean utf8;
    private final boolean singleByte;
    private final Charset charset;

    CountingWriter(PrintWriter out, Charset charset, AtomicLong bytes) {
      this.out = out;
      this.bytes = bytes;
      this.charset = charset;
      this.utf8 = charset.equals(StandardCharsets.UTF_8);
      this.singleByte =
          charset.equals(StandardCharsets.ISO_8859_1)
              || charset.equals(StandardCharsets.US_ASCII)
              || charset.newEncoder().maxBytesPerChar() == 1.0f;
    }

    @Override
    public void write(char[] c, int off, int len) {
      out.write(c, off, len);
      bytes.addAndGet(size(CharBuffer.wrap(c, off, len)));
    }

    @Override
    public void write(String s, int off, int len) {
      out.write(s, off, len);
      bytes.addAndGet(size(s.subSequence(off, off + len)));
    }

    @Override
    public void write(int c) {
      out.write(c);
      bytes.addAndGet(size(String.valueOf((char) c)));
    }

    private long size(CharSequence s) {
      if (singleByte) {
        return s.length();
      }
      if (!utf8) {
        return charset.encode(CharBuffer.wrap(s)).remaining();
      }
      long n = 0;
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        if (ch < 0x80) {
          n++;
        } else if (ch < 0x800) {
          n += 2;
        } else if (Character.isHighSurrogate(ch)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          n += 4;
          i++;
        } else {
          n += 3;
        }
      }
      return n;
    }

    @Override
    public void flush() {
      out.flush();
    }

    @Override
    public void close() {
      out.close();
    }
  }
}
