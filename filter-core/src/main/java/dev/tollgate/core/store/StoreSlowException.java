package dev.tollgate.core.store;

/**
 * The store is up but did not answer within its bound. Unlike a store that is down, it may still
 * decide the request (and count it) after the caller gave up, so the request is answered {@code
 * 503} with {@code Retry-After} whatever the rule's failure policy: admitting it could exceed the
 * quota that the store, still deciding for every other request, is enforcing.
 */
public class StoreSlowException extends StoreUnavailableException {

  private static final long serialVersionUID = 1L;

  public StoreSlowException(String message) {
    super(message);
  }
}
