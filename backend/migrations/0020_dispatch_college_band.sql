-- Dispatch finds the colleges in range by walking a latitude band as wide as the widest service radius
-- (backend/services/dispatch.py, issue 15): with the longitude and radius in the index, the exact distance runs on
-- the few colleges of that band instead of on every college. The widest radius is one step down the second index.
create index colleges_active_lat on public.colleges (lat) include (lon, service_radius_km) where is_active;
create index colleges_active_radius on public.colleges (service_radius_km) where is_active;
