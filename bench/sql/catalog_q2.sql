-- Q2 of the catalog benchmarks: join-heavy indicators per city and month (trips joined to cities
-- twice and to modes, aggregated, then joined to an inflow aggregate and to cities again).
WITH outflow AS (
  SELECT t.origin AS city, t.month,
         sum(t.passengers) AS out_pax,
         sum(CAST(t.passengers AS DOUBLE) * t.distance_km * m.co2_g_per_pkm) AS co2_g,
         sum(CASE WHEN o.region <> d.region THEN t.passengers ELSE 0 END) AS cross_pax,
         sum(CAST(t.passengers AS DOUBLE) * d.population) AS pax_x_dest_pop,
         sum(t.fare) AS fare
  FROM transport.trips t
  JOIN reference.cities o ON o.code = t.origin
  JOIN reference.cities d ON d.code = t.dest
  JOIN reference.modes m ON m.mode = t.mode
  GROUP BY t.origin, t.month
), inflow AS (
  SELECT dest AS city, month, sum(passengers) AS in_pax
  FROM transport.trips
  GROUP BY dest, month
)
SELECT c.code AS city, c.name_en, o.month,
       CAST(o.out_pax AS DOUBLE) * 1000 / c.population AS out_per_1k,
       CAST(i.in_pax AS DOUBLE) * 1000 / c.population AS in_per_1k,
       CAST(i.in_pax - o.out_pax AS DOUBLE) * 1000 / c.population AS net_in_per_1k,
       o.co2_g / 1000 / c.population AS co2_kg_per_capita,
       CAST(o.cross_pax AS DOUBLE) / o.out_pax AS cross_boundary_share,
       o.pax_x_dest_pop / o.out_pax AS mean_dest_population,
       o.fare / c.population AS fare_per_capita
FROM outflow o
JOIN inflow i ON i.city = o.city AND i.month = o.month
JOIN reference.cities c ON c.code = o.city
ORDER BY 1, 3
