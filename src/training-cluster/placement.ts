/**
 * Where a GPU pool's nodes are placed. Build one with {@link PoolPlacement.cluster} (a cluster placement
 * group of the pool's own), {@link PoolPlacement.existing} (a placement group you manage) or
 * {@link PoolPlacement.none}.
 */
export class PoolPlacement {
  /**
   * A cluster placement group created for the pool (one availability zone, lowest latency between nodes).
   * Refused with a reservation: a new group holds no On-Demand Capacity Reservation, and a Capacity Block
   * is in no placement group.
   */
  public static cluster(): PoolPlacement {
    return new PoolPlacement("cluster");
  }

  /** No placement group: nodes land wherever capacity (or the reservation) is. */
  public static none(): PoolPlacement {
    return new PoolPlacement("none");
  }

  /**
   * An existing placement group, by name: the group an On-Demand Capacity Reservation was created in, say.
   * Refused with a Capacity Block.
   * @param groupName the placement group's name (1 to 255 ASCII characters)
   */
  public static existing(groupName: string): PoolPlacement {
    return new PoolPlacement("existing", groupName);
  }

  private constructor(
    /** `cluster`, `none` or `existing`. */
    public readonly kind: string,
    /** The existing group's name (kind `existing` only). */
    public readonly groupName?: string,
  ) {}
}
