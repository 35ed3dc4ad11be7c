"""The service directory: structures and services in the data·inclusion v1 shape, and communes.

Field names follow data·inclusion v1 (``nom``, ``thematiques``, ``zone_eligibilite`` …); the
record's own identifier is ``di_id`` (unique within its ``source``). ``geo_lat``/``geo_lon`` is
the position used for ranking: the record's own coordinates, else its structure's, else the
centre of its commune (``geo_from`` says which).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, UTCDateTime


class InclusionStructure(Base):
    __tablename__ = "directory_structures"
    __table_args__ = (UniqueConstraint("source", "di_id", name="uq_directory_structures_source_id"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(128))
    di_id: Mapped[str] = mapped_column(String(255))
    nom: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    siret: Mapped[str | None] = mapped_column(String(14), default=None)
    commune: Mapped[str | None] = mapped_column(Text, default=None)
    code_postal: Mapped[str | None] = mapped_column(String(5), default=None)
    code_insee: Mapped[str | None] = mapped_column(String(5), default=None)
    adresse: Mapped[str | None] = mapped_column(Text, default=None)
    complement_adresse: Mapped[str | None] = mapped_column(Text, default=None)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    telephone: Mapped[str | None] = mapped_column(Text, default=None)
    courriel: Mapped[str | None] = mapped_column(Text, default=None)
    site_web: Mapped[str | None] = mapped_column(Text, default=None)
    lien_source: Mapped[str | None] = mapped_column(Text, default=None)
    horaires_accueil: Mapped[str | None] = mapped_column(Text, default=None)
    accessibilite_lieu: Mapped[str | None] = mapped_column(Text, default=None)
    reseaux_porteurs: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    date_maj: Mapped[date] = mapped_column(Date)
    geo_lat: Mapped[float | None] = mapped_column(Float, default=None)
    geo_lon: Mapped[float | None] = mapped_column(Float, default=None)
    geo_from: Mapped[str | None] = mapped_column(String(12), default=None)
    record_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)

    services: Mapped[list[InclusionService]] = relationship(
        back_populates="structure", cascade="all, delete-orphan", passive_deletes=True
    )


class InclusionService(Base):
    __tablename__ = "directory_services"
    __table_args__ = (
        UniqueConstraint("source", "di_id", name="uq_directory_services_source_id"),
        Index("ix_directory_services_structure_pk", "structure_pk"),
    )

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(128))
    di_id: Mapped[str] = mapped_column(String(255))
    structure_pk: Mapped[int] = mapped_column(
        ForeignKey("directory_structures.pk", ondelete="CASCADE")
    )
    structure_di_id: Mapped[str] = mapped_column(String(255))
    nom: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    type: Mapped[str | None] = mapped_column(String(32), default=None)
    thematiques: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    frais: Mapped[str | None] = mapped_column(String(16), default=None)
    frais_precisions: Mapped[str | None] = mapped_column(Text, default=None)
    publics: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    publics_precisions: Mapped[str | None] = mapped_column(Text, default=None)
    conditions_acces: Mapped[str | None] = mapped_column(Text, default=None)
    commune: Mapped[str | None] = mapped_column(Text, default=None)
    code_postal: Mapped[str | None] = mapped_column(String(5), default=None)
    code_insee: Mapped[str | None] = mapped_column(String(5), default=None)
    adresse: Mapped[str | None] = mapped_column(Text, default=None)
    complement_adresse: Mapped[str | None] = mapped_column(Text, default=None)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    telephone: Mapped[str | None] = mapped_column(Text, default=None)
    courriel: Mapped[str | None] = mapped_column(Text, default=None)
    contact_nom_prenom: Mapped[str | None] = mapped_column(Text, default=None)
    modes_accueil: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    modes_mobilisation: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    mobilisable_par: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    mobilisation_precisions: Mapped[str | None] = mapped_column(Text, default=None)
    zone_eligibilite: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    lien_mobilisation: Mapped[str | None] = mapped_column(Text, default=None)
    lien_source: Mapped[str | None] = mapped_column(Text, default=None)
    horaires_accueil: Mapped[str | None] = mapped_column(Text, default=None)
    nombre_semaines: Mapped[int | None] = mapped_column(Integer, default=None)
    volume_horaire_hebdomadaire: Mapped[float | None] = mapped_column(Float, default=None)
    date_maj: Mapped[date] = mapped_column(Date)
    geo_lat: Mapped[float | None] = mapped_column(Float, default=None)
    geo_lon: Mapped[float | None] = mapped_column(Float, default=None)
    geo_from: Mapped[str | None] = mapped_column(String(12), default=None)
    record_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)

    structure: Mapped[InclusionStructure] = relationship(back_populates="services")


class Commune(Base):
    """French communes (INSEE Code officiel géographique), loaded from ``config/communes.csv``."""

    __tablename__ = "communes"

    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    nom: Mapped[str] = mapped_column(String(128))
    # Space-separated postal codes ("18000" or "18200 18210").
    codes_postaux: Mapped[str] = mapped_column(String(128))
    departement: Mapped[str] = mapped_column(String(3))
    region: Mapped[str] = mapped_column(String(3))
    epci: Mapped[str | None] = mapped_column(String(9), default=None)
    # The commune of a municipal arrondissement (Paris, Lyon, Marseille).
    parent: Mapped[str | None] = mapped_column(String(5), default=None)
    population: Mapped[int] = mapped_column(Integer, default=0)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    # How the position was obtained: commune, code-postal, epci, departement.
    precision: Mapped[str | None] = mapped_column(String(12), default=None)


class DirectoryMeta(Base):
    """Small facts about the directory: the data generation (bumped by every import that
    changed something, so every process rebuilds its search index) and the commune file loaded."""

    __tablename__ = "directory_meta"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
