# MultiLine Portal: build with the .NET SDK, run on the ASP.NET runtime as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
COPY . .
RUN dotnet publish src/MultiLine.Web/MultiLine.Web.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
# The SQLite database lives on a volume so it survives container upgrades.
RUN mkdir -p /data && chown app:app /data
VOLUME ["/data"]
ENV ASPNETCORE_URLS=http://+:8080 \
    Database__Path=/data/multiline.db
# The portal listens on port 8080 (HTTP; put TLS in front of it).
EXPOSE 8080
USER app
ENTRYPOINT ["dotnet", "MultiLine.Web.dll"]
