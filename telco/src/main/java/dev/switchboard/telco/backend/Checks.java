package dev.switchboard.telco.backend;

/** Argument checks shared by the records' compact constructors. */
final class Checks {
    private Checks() {
    }

    static void id(String value, String what) {
        if (value == null || !value.matches("[a-z0-9][a-z0-9_.-]{0,63}")) {
            throw new IllegalArgumentException(what + " must be 1-64 lower-case letters, digits, '_', '.' or '-': " + value);
        }
    }

    static void text(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    static void notNegative(long value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + value);
        }
    }

    /** An allowance: a non-negative amount or {@link MobilePackage#UNLIMITED}. */
    static void allowance(long value, String what) {
        if (value < 0 && value != MobilePackage.UNLIMITED) {
            throw new IllegalArgumentException(what + " must be a non-negative amount or UNLIMITED (-1): " + value);
        }
    }
}
