package dev.switchboard.operation;

/** The answer to a cancel request. */
public record CancelOutcome(Result result, Operation operation, String explanation) {

    public enum Result {
        /** The operation will stop at its next step and end {@code cancelled}. */
        ACCEPTED("accepted"),
        /** It passed its point of no return; it will finish. */
        REFUSED_POINT_OF_NO_RETURN("past_point_of_no_return"),
        /** It had already ended. */
        ALREADY_FINISHED("already_finished"),
        /**
         * The instance executing it did not answer in time: the request is recorded and honoured only if the
         * operation has not passed its point of no return; its outcome tells.
         */
        UNKNOWN("unknown");

        private final String wireName;

        Result(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Result fromWire(String wire) {
            for (Result r : values()) {
                if (r.wireName.equals(wire)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown cancel result " + wire);
        }
    }
}
