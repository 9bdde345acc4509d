package io.riffle.cli.replay;

/** A history file that cannot be replayed; the message names the file and line. */
public final class HistoryException extends Exception {
    public HistoryException(String message) {
        super(message);
    }
}
