package dev.switchboard.telco.backend;

/** A contract is active until it is closed; a closed contract never reopens. */
public enum ContractStatus {
    ACTIVE("active"),
    CLOSED("closed");

    private final String wireName;

    ContractStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static ContractStatus fromWire(String text) {
        for (ContractStatus s : values()) {
            if (s.wireName.equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown contract status " + text);
    }
}
