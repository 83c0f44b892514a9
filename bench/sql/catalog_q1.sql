-- Q1 of the catalog benchmarks: the city pair x month matrix of 50 M synthetic trips (1,320 groups).
SELECT origin, dest, month,
       count(*) AS trips,
       sum(passengers) AS passengers,
       sum(CASE WHEN mode = 'rail' THEN passengers ELSE 0 END) AS rail_passengers,
       sum(distance_km) AS distance_km,
       sum(fare) AS fare,
       avg(fare / distance_km) AS mean_fare_per_km,
       max(distance_km) AS max_distance_km
FROM transport.trips
GROUP BY origin, dest, month
ORDER BY origin, dest, month
